import ArgumentParser
import Crypto
import Primitives

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Key utilities.", subcommands: [Inspect.self])

    /// `subkey inspect` for sr25519: the public key and its SS58 addresses.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the public key and SS58 addresses of a secret URI (//Alice, a phrase, 0x seed).")

        @Argument(help: "Secret URI: //Alice, '<mnemonic>//hard/soft///password' or 0x<32-byte seed>.")
        var suri: String

        struct Output: Encodable {
            let publicKey: Sr25519Public
            let ss58: String
            let ss58Polkadot: String
            let secretSeed: String?
        }

        func run() throws {
            let keypair: Sr25519Keypair
            do {
                keypair = try Sr25519Keypair(suri: suri)
            } catch {
                throw ValidationError("invalid secret URI: \(error)")
            }
            let key = keypair.publicKey
            try CommandIO.printJSON(
                Output(
                    publicKey: key, ss58: SS58.encode(key.bytes, prefix: SS58.genericPrefix),
                    ss58Polkadot: SS58.encode(key.bytes, prefix: SS58.polkadotPrefix),
                    secretSeed: keypair.miniSecret.map { Hex.encode($0) }))
        }
    }
}
