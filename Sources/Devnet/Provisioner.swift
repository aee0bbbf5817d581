import Backing
import Foundation
import Primitives
import Validation

/// The relay chain's block author: waits (boundedly) for the leaf's candidates to be backed on every
/// node, asks every node for them with `POST /v1/backed-candidates` (`GetBackedCandidates`), and
/// includes what all nodes agree on, so that the next block builds on the new heads.
struct Provisioner: Sendable {
    let client: DevnetClient
    /// Node i's base URL.
    let nodes: [String]
    /// How often the nodes' leaf states are looked at while waiting.
    var pollInterval: Duration = .milliseconds(20)

    /// The backed candidates of a leaf and the report of the block.
    struct Settlement: Sendable {
        let report: BlockReport
        /// The candidates every node returned, to include.
        let included: [CommittedCandidateReceipt]
        /// Async backing: per para, the chain every node returned, in order, to put into the block.
        var chains: [ParaId: [CommittedCandidateReceipt]] = [:]
    }

    /// Async backing: what the block author asks of one para (`GetBackableCandidates`).
    struct Want: Encodable, Sendable {
        /// How many candidates: one per core of the para.
        let count: Int
        /// The para's candidates pending availability: the chain continues after them.
        let ancestors: [CandidateHash]
    }

    /// Waits until every accepted candidate of `leaf` is backed on every node or `deadline` passes,
    /// then collects the backed candidates from every node.
    func settle(
        leaf: Leaf, secondings: [Collators.Seconding], groups: [ParaId: [ValidatorIndex]],
        deadline: ContinuousClock.Instant
    ) async -> Settlement {
        let expected = secondings.filter(\.accepted).map(\.candidateHash)
        let (backedAt, states) = await waitUntilBacked(expected, at: leaf.hash, deadline: deadline)
        let answers = await backedCandidates(leaf.hash, hashes: expected)
        let sets = answers.map { $0.map { Set($0.map(\.candidate.hash)) } }
        let agree = sets.allSatisfy { $0 != nil && $0 == sets[0] }
        let first = answers.first.flatMap { $0 } ?? []

        var paras: [BlockReport.Para] = []
        var included: [CommittedCandidateReceipt] = []
        for seconding in secondings {
            let hash = seconding.candidateHash
            let backedOn = sets.filter { $0?.contains(hash) ?? false }.count
            let chosen = first.first { $0.candidate.hash == hash }
            let backed = backedOn == nodes.count && backedAt[hash] != nil && chosen != nil
            if backed, let chosen { included.append(chosen.candidate) }
            paras.append(
                paraReport(
                    seconding, group: groups[seconding.paraId] ?? [], chosen: chosen, backed: backed,
                    shortfall: "backed on \(backedOn)/\(nodes.count)", backedOn: backedOn, backedAt: backedAt,
                    states: states))
        }
        return Settlement(
            report: blockReport(leaf, paras: paras, nodesAgree: agree, states: states), included: included)
    }

    /// One seconding's line of the block report: backed or why not, votes (on the first node), latency,
    /// the new head and the core. - Parameter shortfall: how far it got, when not backed.
    private func paraReport(
        _ seconding: Collators.Seconding, group: [ValidatorIndex], chosen: BackedCandidate?, backed: Bool,
        shortfall: String, backedOn: Int, backedAt: [CandidateHash: ContinuousClock.Instant], states: [LeafState?]
    ) -> BlockReport.Para {
        let hash = seconding.candidateHash
        let votes = states.first.flatMap { $0 }?.candidates.first { $0.candidateHash == hash }?.validityVotes ?? 0
        let problem: String? =
            if !seconding.accepted { "not accepted: \(seconding.reason ?? "?")" } else if backed { nil } else {
                "\(shortfall) nodes by the deadline, \(votes) votes"
            }
        var para = BlockReport.Para(
            paraId: seconding.paraId, group: group, seconder: seconding.seconder, candidateHash: hash, backed: backed,
            backedOn: backedOn, votes: votes,
            latencyMs: backed ? backedAt[hash].map { Self.milliseconds($0 - seconding.at) } : nil,
            newHead: backed ? chosen?.candidate.commitments.headData : nil, problem: problem)
        para.coreIndex = chosen?.coreIndex
        return para
    }

    /// The block's report: its paras, whether the nodes agreed, the first node's statements and every
    /// node's misbehaviour reports.
    private func blockReport(_ leaf: Leaf, paras: [BlockReport.Para], nodesAgree: Bool, states: [LeafState?])
        -> BlockReport
    {
        BlockReport(
            number: leaf.number, hash: leaf.hash, paras: paras, nodesAgree: nodesAgree,
            statements: states.first.flatMap { $0 }?.candidates.reduce(0) { $0 + $1.validityVotes } ?? 0,
            misbehaviours: states.reduce(0) { $0 + ($1?.misbehaviours.count ?? 0) })
    }

    /// Polls the leaf's state on every node until each of `expected` is backed on all of them, or until
    /// `deadline`. - Returns: when each was first seen backed everywhere, and the last states seen.
    private func waitUntilBacked(_ expected: [CandidateHash], at leaf: Hash, deadline: ContinuousClock.Instant) async
        -> (backedAt: [CandidateHash: ContinuousClock.Instant], states: [LeafState?])
    {
        var backedAt: [CandidateHash: ContinuousClock.Instant] = [:]
        var states: [LeafState?] = []
        while true {
            states = await leafStates(leaf)
            let now = ContinuousClock.now
            for hash in expected where backedAt[hash] == nil {
                let everywhere = states.allSatisfy { state in
                    state?.candidates.contains { $0.candidateHash == hash && $0.backed } ?? false
                }
                if everywhere { backedAt[hash] = now }
            }
            if backedAt.count == expected.count || now >= deadline { break }
            try? await Task.sleep(for: pollInterval)
        }
        return (backedAt, states)
    }

    /// Async backing: waits as ``settle(leaf:secondings:groups:deadline:)`` does, then takes each para's
    /// chain from `POST /v1/backable-candidates` on every node, as a block author's provisioner does.
    /// A candidate goes into the block when every node returns it at the same place of the chain.
    /// - Parameters:
    ///   - groups: the backing group of each candidate's core.
    ///   - wants: per para, how many candidates and after which pending ones.
    func settleAsync(
        leaf: Leaf, secondings: [Collators.Seconding], groups: [CandidateHash: [ValidatorIndex]],
        wants: [ParaId: Want], deadline: ContinuousClock.Instant
    ) async -> Settlement {
        let expected = secondings.filter(\.accepted).map(\.candidateHash)
        let (backedAt, states) = await waitUntilBacked(expected, at: leaf.hash, deadline: deadline)
        let answers = await backableCandidates(leaf.hash, wants: wants)
        // Per para, the longest chain prefix every node returned.
        var chains: [ParaId: [BackedCandidate]] = [:]
        for para in wants.keys {
            let lists = answers.map { $0?[para] ?? [] }
            var common = lists.first ?? []
            for list in lists.dropFirst() {
                let same = zip(common, list).prefix { $0.candidate.hash == $1.candidate.hash }.count
                common = Array(common.prefix(same))
            }
            chains[para] = common
        }
        let agree = answers.allSatisfy { answer in
            guard let answer else { return false }
            return wants.keys.allSatisfy { para in
                (answer[para] ?? []).map(\.candidate.hash) == (chains[para] ?? []).map(\.candidate.hash)
            }
        }
        let paras = secondings.map { seconding in
            let hash = seconding.candidateHash
            let chosen = chains[seconding.paraId]?.first { $0.candidate.hash == hash }
            let backedOn = answers.filter { $0?[seconding.paraId]?.contains { $0.candidate.hash == hash } ?? false }
                .count
            return paraReport(
                seconding, group: groups[hash] ?? [], chosen: chosen, backed: chosen != nil && backedAt[hash] != nil,
                shortfall: "backable on \(backedOn)/\(nodes.count)", backedOn: backedOn, backedAt: backedAt,
                states: states)
        }
        var report = blockReport(leaf, paras: paras, nodesAgree: agree, states: states)
        report.chains = wants.keys.sorted().map { para in
            let included = leaf.paraBackingState[para]?.constraints.constraints.requiredParent
            return BlockReport.Chain(
                paraId: para,
                includedNumber: included.flatMap { try? AdderParachain.Head(headData: $0).number } ?? 0,
                pendingAvailability: wants[para]?.ancestors ?? [],
                backed: (chains[para] ?? []).map(\.candidate.hash),
                cores: (chains[para] ?? []).compactMap(\.coreIndex))
        }
        return Settlement(report: report, included: [], chains: chains.mapValues { $0.map(\.candidate) })
    }

    /// `POST /v1/backable-candidates` with `{leaf, paras}` on every node, in node order (`nil` where it failed).
    func backableCandidates(_ leaf: Hash, wants: [ParaId: Want]) async -> [[ParaId: [BackedCandidate]]?] {
        struct Body: Encodable {
            let leaf: Hash
            let paras: [String: Want]
        }
        struct Answer: Decodable { let candidates: [String: [BackedCandidate]] }
        let body = Body(
            leaf: leaf, paras: Dictionary(uniqueKeysWithValues: wants.map { (String($0.key.rawValue), $0.value) }))
        return await onEveryNode { url in
            let answer = try await client.call("POST", "\(url)/v1/backable-candidates", json: body, as: Answer.self)
            return Dictionary(
                uniqueKeysWithValues: answer.candidates.compactMap { key, value in
                    UInt32(key).map { (ParaId($0), value) }
                })
        }
    }

    /// `GET /v1/leaves/{hash}` on every node, in node order (`nil` where it failed).
    func leafStates(_ hash: Hash) async -> [LeafState?] {
        await onEveryNode { url in try await client.get("\(url)/v1/leaves/\(hash.hex)", as: LeafState.self) }
    }

    /// `POST /v1/backed-candidates` on every node, in node order (`nil` where it failed).
    func backedCandidates(_ leaf: Hash, hashes: [CandidateHash]) async -> [[BackedCandidate]?] {
        struct Body: Encodable {
            let relayParent: Hash
            let candidateHashes: [CandidateHash]
        }
        struct Answer: Decodable { let backedCandidates: [BackedCandidate] }
        let body = Body(relayParent: leaf, candidateHashes: hashes)
        return await onEveryNode { url in
            try await client.call("POST", "\(url)/v1/backed-candidates", json: body, as: Answer.self)
                .backedCandidates
        }
    }

    private func onEveryNode<T: Sendable>(_ call: @escaping @Sendable (String) async throws -> T) async -> [T?] {
        await withTaskGroup(of: (Int, T?).self) { group in
            for (i, url) in nodes.enumerated() { group.addTask { (i, try? await call(url)) } }
            var results = [T?](repeating: nil, count: nodes.count)
            for await (i, value) in group { results[i] = value }
            return results
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
