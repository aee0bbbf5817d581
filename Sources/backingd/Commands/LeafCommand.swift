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

        @Flag(
            help:
                "Asynchronous backing (implies --v2): asyncBackingParams, the leaf's parent as an allowed relay parent, and each para's backing constraints at the adder's genesis head."
        )
        var asyncBacking = false

        func run() throws {
            try CommandIO.printJSON(asyncBacking ? ExampleLeaf.asyncBackingLeaf : ExampleLeaf.leaf(v2: v2))
        }
    }
}
