/// Which paras each core may back next (runtime API `ClaimQueue`): for every core, the paras in order,
/// position 0 in the next block, position k k blocks later.
///
/// JSON: `{"<coreIndex>": [paraId, …]}`, cores as decimal keys.
public struct ClaimQueue: Hashable, Sendable, Codable {
    public var queues: [CoreIndex: [ParaId]]

    public init(_ queues: [CoreIndex: [ParaId]] = [:]) { self.queues = queues }

    /// The para core `core` may back next (position 0), if any.
    public func next(on core: CoreIndex) -> ParaId? { queues[core]?.first }

    /// The cores in ascending order.
    public var cores: [CoreIndex] { queues.keys.sorted() }

    /// `para → depth → cores` (`transpose_claim_queue`).
    public var transposed: TransposedClaimQueue {
        var byPara: [ParaId: [Int: [CoreIndex]]] = [:]
        for core in cores {
            for (depth, para) in (queues[core] ?? []).enumerated() {
                byPara[para, default: [:]][depth, default: []].append(core)
            }
        }
        return TransposedClaimQueue(byPara)
    }

    public init(from decoder: any Decoder) throws {
        let byKey = try decoder.container(keyedBy: AnyCodingKey.self)
        var queues: [CoreIndex: [ParaId]] = [:]
        for key in byKey.allKeys {
            guard let core = UInt32(jsonKey: key.stringValue) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: byKey, debugDescription: "expected a core index (u32) as the key")
            }
            queues[CoreIndex(core)] = try byKey.decode([ParaId].self, forKey: key)
        }
        self.queues = queues
    }

    public func encode(to encoder: any Encoder) throws {
        var byKey = encoder.container(keyedBy: AnyCodingKey.self)
        for core in cores { try byKey.encode(queues[core], forKey: AnyCodingKey(String(core.rawValue))) }
    }
}

/// A claim queue turned around (`TransposedClaimQueue`): for each para and depth, the cores that claim
/// it there, ascending.
public struct TransposedClaimQueue: Hashable, Sendable {
    public let assignments: [ParaId: [Int: [CoreIndex]]]

    public init(_ assignments: [ParaId: [Int: [CoreIndex]]]) { self.assignments = assignments }

    /// The cores assigned to `para` at `depth`, ascending (empty when none).
    public func cores(of para: ParaId, at depth: Int) -> [CoreIndex] { assignments[para]?[depth] ?? [] }

    /// Checks a V2 descriptor's core (`check_core_index`). With a selector, the core is
    /// `assigned[selector mod count]` at the selected depth and must be the descriptor's; without one the
    /// depth is 0, a single assigned core must be the descriptor's, and among several the descriptor's
    /// must be one of them.
    /// - Returns: the core the signals determine, or `nil` when several cores fit and none is selected.
    @discardableResult
    public func checkCoreIndex(
        para: ParaId, descriptorCore: CoreIndex, selectCore: CandidateUMPSignals.SelectCore?
    ) throws(CommittedCandidateReceiptError) -> CoreIndex? {
        let offset = selectCore?.claimQueueOffset ?? .default
        let assigned = cores(of: para, at: Int(offset.rawValue))
        guard !assigned.isEmpty else { throw .noAssignment }
        let selector: Int
        if let selectCore {
            selector = Int(selectCore.coreSelector.rawValue)
        } else if assigned.count == 1 {
            selector = 0
        } else {
            guard assigned.contains(descriptorCore) else { throw .invalidCoreIndex }
            return nil
        }
        let expected = assigned[selector % assigned.count]
        guard expected == descriptorCore else {
            throw .coreIndexMismatch(descriptor: descriptorCore, commitments: expected)
        }
        return expected
    }
}

/// The runtime's optional node features for a session (`NodeFeatures`, a `BitVec<u8, Lsb0>`); a bit
/// beyond the vector's end is off, and bits this version does not know are ignored.
///
/// JSON: the hex of the SCALE bit vector, as `validatorIndices`.
public struct NodeFeatures: Hashable, Sendable, Codable {
    /// The bits of `node_features::FeatureIndex`.
    public enum Feature: Int, Sendable, CaseIterable {
        case enableAssignmentsV2 = 0
        /// Backed candidates carry their core index after the group bits.
        case elasticScalingMVP = 1
        case availabilityChunkMapping = 2
        /// V2 descriptors are accepted.
        case candidateReceiptV2 = 3
    }

    public var bits: BitVec

    public init(_ bits: BitVec = BitVec([])) { self.bits = bits }

    /// The features `enabled` on, in a vector of at least 8 bits.
    public init(enabled: Set<Feature>) {
        var bits = BitVec(count: max(8, (enabled.map(\.rawValue).max() ?? 0) + 1))
        for feature in enabled { bits[feature.rawValue] = true }
        self.bits = bits
    }

    public func isEnabled(_ feature: Feature) -> Bool { feature.rawValue < bits.count && bits[feature.rawValue] }

    public init(from decoder: any Decoder) throws { bits = try BitVec(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try bits.encode(to: encoder) }
}
