import ArgumentParser

@main
struct Backingd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backingd",
        abstract: "A standalone Polkadot candidate-backing engine with an HTTP/JSON API.",
        version: BackingdVersion.description,
        subcommands: [
            ServeCommand.self, KeyCommand.self, LeafCommand.self, CandidateCommand.self, StatementCommand.self,
            CollateCommand.self,
            DevnetCommand.self, SigningHistoryCommand.self,
        ])
}
