import Foundation
public import Primitives

/// What happened to one relay-chain block: per para whether it was backed, by whom, how fast, and
/// whether every node agreed. The progress line and `/v1/devnet` show it; the tests assert on it.
public struct BlockReport: Codable, Sendable, Equatable {
    /// One para at this block.
    public struct Para: Codable, Sendable, Equatable {
        public let paraId: ParaId
        /// The backing group at this block (validator indices = node indices).
        public let group: [ValidatorIndex]
        /// The node the collator handed the candidate to.
        public let seconder: Int
        /// The collator's candidate.
        public let candidateHash: CandidateHash
        /// Whether every node reports the candidate backed and returns it from `/v1/backed-candidates`.
        public let backed: Bool
        /// How many nodes returned it from `/v1/backed-candidates`.
        public let backedOn: Int
        /// Its validity votes (on the first node).
        public let votes: Int
        /// From `POST /v1/second` to backed on every node, in milliseconds (`nil` when not backed).
        public let latencyMs: Double?
        /// The head the para moves to (the backed candidate's `headData`), `nil` when not backed.
        public let newHead: HeadData?
        /// Why it was not backed, when it was not.
        public let problem: String?
        /// The core it was backed on (devnets with `--v2`, whose leaves have a claim queue).
        public var coreIndex: CoreIndex? = nil
    }

    /// Async backing: a para's chain at this block, as the relay chain holds it.
    public struct Chain: Codable, Sendable, Equatable {
        public let paraId: ParaId
        /// The adder block number of the included head (`requiredParent` of the leaf's constraints).
        public let includedNumber: UInt64
        /// The candidates pending availability at this block (backed into the previous one), in order.
        public let pendingAvailability: [CandidateHash]
        /// The candidates backed into this block, in chain order (`POST /v1/backable-candidates`).
        public let backed: [CandidateHash]
        /// The core of each backed candidate, in the same order.
        public let cores: [CoreIndex]
    }

    public let number: BlockNumber
    public let hash: Hash
    public let paras: [Para]
    /// Whether every node returned the same backed candidates for this leaf.
    public let nodesAgree: Bool
    /// Signed statements on the first node for this leaf (seconded + valid).
    public let statements: Int
    /// Misbehaviour reports summed over the nodes for this leaf.
    public let misbehaviours: Int
    /// Async backing (`--async-backing`): every para's chain, in para order.
    public var chains: [Chain]? = nil

    /// Whether every para got a candidate backed, on every node.
    public var allBacked: Bool { paras.allSatisfy(\.backed) }

    /// The progress line: `block #12 0x1234…abcd: paras backed 2/2, statements 6, latency p50 45 ms`.
    public var progressLine: String {
        let hex = hash.hex
        let short = "\(hex.prefix(6))…\(hex.suffix(4))"
        let latencies = paras.compactMap(\.latencyMs).sorted()
        var line =
            "block #\(number) \(short): \(chains == nil ? "paras" : "candidates") backed "
            + "\(paras.filter(\.backed).count)/\(paras.count), "
            + "statements \(statements)"
        if !latencies.isEmpty {
            let p50 = latencies[(latencies.count - 1) / 2]
            line += ", latency p50 \(Int(p50.rounded())) ms, max \(Int(latencies.last!.rounded())) ms"
        }
        if let chains {
            // `chains 100: #4 +2 pending +2 (cores 0,1)`: the included adder block, how many candidates are
            // pending availability, how many this block added and on which cores.
            line +=
                ", chains "
                + chains.map { chain in
                    let cores = chain.cores.map { String($0.rawValue) }.joined(separator: ",")
                    return "\(chain.paraId): #\(chain.includedNumber) +\(chain.pendingAvailability.count) pending "
                        + "+\(chain.backed.count) (core\(chain.cores.count == 1 ? "" : "s") \(cores))"
                }.joined(separator: "; ")
        }
        if !nodesAgree { line += ", NODES DISAGREE" }
        if misbehaviours > 0 { line += ", misbehaviours \(misbehaviours)" }
        for para in paras where !para.backed {
            line += "\n  para \(para.paraId): not backed (\(para.problem ?? "no reason"))"
        }
        return line
    }
}
