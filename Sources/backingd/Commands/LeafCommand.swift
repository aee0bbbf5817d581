import ArgumentParser

/// `backingd leaf`: relay-chain leaves for harnesses.
struct LeafCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaf", abstract: "Relay-chain leaf helpers.", subcommands: [Example.self])

    struct Example: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Print a leaf (the body of POST /v1/leaves) in which //Alice backs the adder parachain (para 100) at its genesis head, as `serve --dev` registers it."
        )

        @Flag(
            help: "Today's scheduling data: a claim queue and node features CandidateReceiptV2 and ElasticScalingMVP.")
        var v2 = false

        func run() throws { try CommandIO.printJSON(ExampleLeaf.leaf(v2: v2)) }
    }
}
