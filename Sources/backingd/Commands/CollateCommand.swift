import ArgumentParser
import Crypto
import Primitives
import Validation

/// `backingd collate`: a collator for the adder parachain, printing a candidate ready for `POST /v1/second`.
struct CollateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collate",
        abstract: "Build a signed adder-parachain candidate: {relayParent, candidate, pov, ...} for POST /v1/second.")

    @Option(help: "The para id.")
    var para: UInt32 = AdderParachain.devParaId.rawValue

    @Option(help: "The parent head data as 0x hex (default: the genesis head of state 0).")
    var parentHead: String?

    @Option(help: "The state the block starts from; must hash to the parent head's post_state.")
    var state: UInt64 = 0

    @Option(help: "The amount the block adds.")
    var add: UInt64

    @Option(help: "The collator's secret URI.")
    var collator: String = "//Two"

    @Option(help: "The relay parent hash (default: zero).")
    var relayParent: HashArgument?

    @Option(help: "The relay parent's block number.")
    var relayParentNumber: UInt32 = 0

    @Option(help: "The relay parent's storage root (default: zero).")
    var storageRoot: HashArgument?

    @Option(help: "The para's maximum PoV size in bytes.")
    var maxPovSize: UInt32 = 5 << 20

    @Option(help: "The leaf's validator count, for the erasure root.")
    var validators: Int = 6

    @Option(help: "Build a V2 descriptor on this core (no collator signature; for leaves with CandidateReceiptV2).")
    var core: UInt16?

    @Option(help: "The session a V2 descriptor names (the relay parent's session index).")
    var session: UInt32 = 0

    func run() throws {
        let parent: HeadData
        if let parentHead {
            guard let bytes = Hex.decode(parentHead) else { throw ValidationError("--parent-head: expected 0x hex") }
            parent = HeadData(bytes: bytes)
        } else {
            parent = AdderParachain.Head.genesis(state: 0).headData
        }
        let keypair: Sr25519Keypair
        do { keypair = try Sr25519Keypair(suri: collator) } catch { throw ValidationError("--collator: \(error)") }
        let context = AdderCollator.Context(
            paraId: ParaId(para), relayParent: relayParent?.value ?? .zero, relayParentNumber: relayParentNumber,
            relayParentStorageRoot: storageRoot?.value ?? .zero, maxPovSize: maxPovSize, validatorCount: validators,
            v2Core: core.map { CoreIndex(UInt32($0)) }, sessionIndex: session)
        do {
            let collation = try AdderCollator.collate(
                parentHead: parent, block: .init(state: state, add: add), context: context, collator: keypair)
            try CommandIO.printJSON(collation)
        } catch let error as AdderCollator.CollationError {
            throw ValidationError("\(error)")
        }
    }
}
