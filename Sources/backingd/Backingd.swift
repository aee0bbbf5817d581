import ArgumentParser

@main
struct Backingd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backingd", abstract: "A standalone Polkadot candidate-backing engine.")
}
