import Backing
import Crypto
import Foundation
import Primitives
import Validation

/// One adder collator per para: it knows its para's chain (head and state), builds the next block on
/// every leaf and hands it to a validator of the para's backing group with `POST /v1/second`.
struct Collators: Sendable {
    /// A para's chain as its collator tracks it.
    struct Chain: Sendable {
        let paraId: ParaId
        let key: Sr25519Keypair
        /// The head the relay chain has included (the parent of the next block).
        var head: HeadData = AdderParachain.Head.genesis().headData
        /// The adder state `head` commits to.
        var state: UInt64 = 0
        /// Blocks handed out and not yet included: candidate hash → (new head, new state, the relay
        /// block it was built at).
        var pending: [CandidateHash: (head: HeadData, state: UInt64, at: BlockNumber)] = [:]
    }

    /// How many relay blocks an async-backing collator remembers the blocks it handed out: a candidate
    /// backed later than its relay parent's ancestry allows cannot be backed at all.
    static let rememberedBlocks: BlockNumber = 4

    /// What a collator did at one leaf.
    struct Seconding: Sendable {
        let paraId: ParaId
        let candidateHash: CandidateHash
        /// The validator (= node index) the candidate went to.
        let seconder: Int
        let accepted: Bool
        let reason: String?
        let at: ContinuousClock.Instant
    }

    private(set) var chains: [ParaId: Chain]

    init(paraIds: [ParaId]) throws {
        var chains: [ParaId: Chain] = [:]
        for id in paraIds {
            let key = try Sr25519Keypair(suri: DevnetConfiguration.collatorSeed(id.rawValue))
            chains[id] = Chain(paraId: id, key: key)
        }
        self.chains = chains
    }

    /// Every para's current head, for the next leaf's persisted validation data.
    var heads: [ParaId: HeadData] { chains.mapValues(\.head) }

    /// Builds the next block of `paraId` on `leaf` (adding the block number, so the state keeps growing).
    mutating func collate(_ paraId: ParaId, on leaf: Leaf) throws -> AdderCollator.Collation {
        // With a claim queue the collator builds a V2 descriptor on the core that backs its para next.
        let core = leaf.claimQueue.flatMap { queue in queue.cores.first { queue.next(on: $0) == paraId } }
        return try collateChain(paraId, on: leaf, cores: [core])[0]
    }

    /// Builds one block of `paraId` per entry of `cores` on `leaf`, each on the one before, the first on
    /// the chain's head: an elastic para's blocks for one relay parent, one per core (`nil`: a v1
    /// descriptor).
    mutating func collateChain(_ paraId: ParaId, on leaf: Leaf, cores: [CoreIndex?]) throws
        -> [AdderCollator.Collation]
    {
        guard var chain = chains[paraId] else { throw DevnetError.invalid("no collator for para \(paraId)") }
        var parent = (head: chain.head, state: chain.state)
        var collations: [AdderCollator.Collation] = []
        for core in cores {
            let context = AdderCollator.Context(
                paraId: paraId, relayParent: leaf.hash, relayParentNumber: leaf.number,
                relayParentStorageRoot: RelayChain.storageRoot(leaf.number), maxPovSize: RelayChain.maxPovSize,
                validatorCount: leaf.validators.count, v2Core: core, sessionIndex: leaf.sessionIndex)
            let block = AdderParachain.Block(state: parent.state, add: UInt64(leaf.number))
            let collation = try AdderCollator.collate(
                parentHead: parent.head, block: block, context: context, collator: chain.key)
            parent = (collation.head.headData, block.state &+ block.add)
            chain.pending[collation.candidateHash] = (parent.head, parent.state, leaf.number)
            collations.append(collation)
        }
        chains[paraId] = chain
        return collations
    }

    /// Async backing: `backed` (a para's chain, in order) went into the block at `number`; the next
    /// blocks build on the last of them, before it is even included.
    mutating func advance(_ paraId: ParaId, to backed: [CommittedCandidateReceipt], at number: BlockNumber) {
        guard var chain = chains[paraId] else { return }
        for candidate in backed {
            guard let next = chain.pending[candidate.hash] else { continue }
            chain.head = next.head
            chain.state = next.state
        }
        chain.pending = chain.pending.filter { $0.value.at + Self.rememberedBlocks > number }
        chains[paraId] = chain
    }

    /// The relay chain included `candidate` for its para: the next block builds on its head.
    mutating func include(_ candidate: CommittedCandidateReceipt) {
        let paraId = candidate.descriptor.paraId
        guard var chain = chains[paraId], let next = chain.pending[candidate.hash] else { return }
        chain.head = candidate.commitments.headData
        chain.state = next.state
        // Anything else built on the old head can never be included now.
        chain.pending = [:]
        chains[paraId] = chain
    }

    /// Hands `collation` to node `seconder` (`POST /v1/second` with `{relayParent, candidate, pov}`).
    static func second(
        _ collation: AdderCollator.Collation, to seconder: Int, url: String, client: DevnetClient
    ) async -> Seconding {
        let at = ContinuousClock.now
        do {
            let outcome = try await client.call(
                "POST", "\(url)/v1/second", json: collation, as: SecondOutcome.self)
            return Seconding(
                paraId: collation.candidate.descriptor.paraId, candidateHash: collation.candidateHash,
                seconder: seconder, accepted: outcome.accepted, reason: outcome.reason, at: at)
        } catch {
            return Seconding(
                paraId: collation.candidate.descriptor.paraId, candidateHash: collation.candidateHash,
                seconder: seconder, accepted: false, reason: "\(error)", at: at)
        }
    }
}
