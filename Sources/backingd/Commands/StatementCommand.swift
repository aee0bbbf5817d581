import ArgumentParser
import Crypto
import Primitives

struct StatementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statement", abstract: "Backing statement helpers.", subcommands: [Sign.self])

    /// Signs a Seconded or Valid statement as a validator would, ready for `POST /v1/statements`.
    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a SignedStatement {payload, validatorIndex, signature} signed with an sr25519 secret URI.")

        @Option(help: "The signer's secret URI (//Alice, a phrase, 0x seed).") var suri: String
        @Option(help: "Session index of the signing context.") var session: UInt32
        @Option(help: "Relay parent (the signing context's parent hash).") var parent: HashArgument
        @Option(help: "The signer's index in the session's validator list.") var validatorIndex: UInt32
        @Option(help: "Sign Seconded for this CommittedCandidateReceipt (JSON FILE, - for stdin).") var seconded:
            String?
        @Option(help: "Sign Valid for this candidate hash.") var valid: HashArgument?

        func validate() throws {
            guard (seconded == nil) != (valid == nil) else {
                throw ValidationError("give exactly one of --seconded FILE and --valid HASH")
            }
        }

        func run() throws {
            let keypair: Sr25519Keypair
            do {
                keypair = try Sr25519Keypair(suri: suri)
            } catch {
                throw ValidationError("invalid secret URI: \(error)")
            }
            let statement: Statement =
                if let seconded {
                    .seconded(try CommandIO.decode(CommittedCandidateReceipt.self, from: seconded))
                } else {
                    // Safe because: validate() guarantees one of the two options is present.
                    .valid(valid!.value)
                }
            let signed = SignedFullStatement.sign(
                statement, validatorIndex: ValidatorIndex(validatorIndex),
                context: SigningContext(sessionIndex: session, parentHash: parent.value), keypair: keypair)
            try CommandIO.printJSON(signed)
        }
    }
}
