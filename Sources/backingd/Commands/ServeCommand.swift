import ArgumentParser
import Crypto
import Logging
import Primitives

/// `backingd serve`: the service. Until the HTTP API lands (the service issue) it resolves its
/// configuration, prints the validator key and what it will serve, and exits.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the backing service.")

    @Flag(help: "Dev defaults: validator //Alice, listen on 127.0.0.1:8080, data in ./.backingd.")
    var dev = false

    @Option(help: "Address to listen on (host:port).") var listen: String?
    @Option(help: "The validator's secret URI (//Alice, a phrase, 0x seed). None: observe only.")
    var validatorSeed: String?
    @Option(help: "Folder for durable state.") var dataDir: String?

    func run() throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "backingd")
        let listen = listen ?? "127.0.0.1:8080"
        let dataDir = dataDir ?? "./.backingd"
        let seed = validatorSeed ?? (dev ? "//Alice" : nil)
        var validator = "none (observer)"
        if let seed {
            do {
                let key = try Sr25519Keypair(suri: seed).publicKey
                validator = "\(key.hex) (\(SS58.encode(key.bytes)))"
            } catch {
                throw ValidationError("invalid --validator-seed: \(error)")
            }
        }
        logger.info("validator key: \(validator)")
        logger.info("would listen on http://\(listen) with data in \(dataDir)")
        print(
            """
            backingd: validator \(validator)
            listen \(listen), data dir \(dataDir)
            The HTTP API (contract §3) arrives with the service issue; nothing is served yet.
            """)
    }
}
