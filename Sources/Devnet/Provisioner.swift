import Backing
import Foundation
import Primitives

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
    }

    /// Waits until every accepted candidate of `leaf` is backed on every node or `deadline` passes,
    /// then collects the backed candidates from every node.
    func settle(
        leaf: Leaf, secondings: [Collators.Seconding], groups: [ParaId: [ValidatorIndex]],
        deadline: ContinuousClock.Instant
    ) async -> Settlement {
        let expected = secondings.filter(\.accepted).map(\.candidateHash)
        var backedAt: [CandidateHash: ContinuousClock.Instant] = [:]
        var states: [LeafState?] = []
        while true {
            states = await leafStates(leaf.hash)
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

        let answers = await backedCandidates(leaf.hash, hashes: expected)
        let sets = answers.map { $0.map { Set($0.map(\.candidate.hash)) } }
        let agree = sets.allSatisfy { $0 != nil && $0 == sets[0] }
        let first = answers.first.flatMap { $0 } ?? []

        var paras: [BlockReport.Para] = []
        var included: [CommittedCandidateReceipt] = []
        for seconding in secondings {
            let hash = seconding.candidateHash
            let backedOn = sets.filter { $0?.contains(hash) ?? false }.count
            let candidate = first.first { $0.candidate.hash == hash }?.candidate
            let backed = backedOn == nodes.count && backedAt[hash] != nil && candidate != nil
            if backed, let candidate { included.append(candidate) }
            let votes = states.first.flatMap { $0 }?.candidates.first { $0.candidateHash == hash }?.validityVotes ?? 0
            let problem: String? =
                if !seconding.accepted { "not accepted: \(seconding.reason ?? "?")" } else if backed { nil } else {
                    "backed on \(backedOn)/\(nodes.count) nodes by the deadline, \(votes) votes"
                }
            var para = BlockReport.Para(
                paraId: seconding.paraId, group: groups[seconding.paraId] ?? [], seconder: seconding.seconder,
                candidateHash: hash, backed: backed, backedOn: backedOn, votes: votes,
                latencyMs: backed ? backedAt[hash].map { Self.milliseconds($0 - seconding.at) } : nil,
                newHead: backed ? candidate?.commitments.headData : nil, problem: problem)
            para.coreIndex = first.first { $0.candidate.hash == hash }?.coreIndex
            paras.append(para)
        }
        let firstState = states.first.flatMap { $0 }
        let report = BlockReport(
            number: leaf.number, hash: leaf.hash, paras: paras, nodesAgree: agree,
            statements: firstState?.candidates.reduce(0) { $0 + $1.validityVotes } ?? 0,
            misbehaviours: states.reduce(0) { $0 + ($1?.misbehaviours.count ?? 0) })
        return Settlement(report: report, included: included)
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
