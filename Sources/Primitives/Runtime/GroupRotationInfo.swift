/// How validator groups rotate across availability cores (`GroupRotationInfo`, primitives v1).
///
/// SCALE: sessionStartBlock u32, groupRotationFrequency u32, now u32. A frequency of 0 means no rotation.
public struct GroupRotationInfo: ScaleCodable, Codable, Hashable, Sendable {
    public var sessionStartBlock: BlockNumber
    public var groupRotationFrequency: BlockNumber
    /// The block the runtime answers for (the child of the relay parent).
    public var now: BlockNumber

    public init(sessionStartBlock: BlockNumber, groupRotationFrequency: BlockNumber, now: BlockNumber) {
        self.sessionStartBlock = sessionStartBlock
        self.groupRotationFrequency = groupRotationFrequency
        self.now = now
    }

    private var rotations: UInt32 { (now &- min(now, sessionStartBlock)) / groupRotationFrequency }

    /// The group assigned to `core` when there are `cores` cores.
    public func groupForCore(_ core: CoreIndex, cores: Int) -> GroupIndex {
        guard groupRotationFrequency != 0 else { return GroupIndex(core.rawValue) }
        guard cores > 0 else { return GroupIndex(0) }
        let cores = UInt64(min(cores, Int(UInt32.max)))
        return GroupIndex(UInt32((UInt64(core.rawValue) + UInt64(rotations)) % cores))
    }

    /// The core `group` works on when there are `cores` cores; the inverse of ``groupForCore(_:cores:)``.
    public func coreForGroup(_ group: GroupIndex, cores: Int) -> CoreIndex {
        guard groupRotationFrequency != 0 else { return CoreIndex(group.rawValue) }
        guard cores > 0 else { return CoreIndex(0) }
        let cores = UInt64(min(cores, Int(UInt32.max)))
        let shift = UInt64(rotations) % cores
        return CoreIndex(UInt32((UInt64(group.rawValue) + cores - shift) % cores))
    }

    /// The next block at which groups rotate (`nil` without rotation).
    public var nextRotationAt: BlockNumber? {
        guard groupRotationFrequency != 0 else { return nil }
        let next = now &+ groupRotationFrequency
        return next &- (next &- min(next, sessionStartBlock)) % groupRotationFrequency
    }

    /// The block at which groups last rotated (`nil` without rotation).
    public var lastRotationAt: BlockNumber? {
        guard groupRotationFrequency != 0 else { return nil }
        return now &- (now &- min(now, sessionStartBlock)) % groupRotationFrequency
    }

    enum CodingKeys: String, CodingKey { case sessionStartBlock, groupRotationFrequency, now }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sessionStartBlock = try c.decodeU32(forKey: .sessionStartBlock)
        groupRotationFrequency = try c.decodeU32(forKey: .groupRotationFrequency)
        now = try c.decodeU32(forKey: .now)
    }

    public static var minimumEncodedSize: Int { 12 }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(littleEndian: sessionStartBlock)
        encoder.append(littleEndian: groupRotationFrequency)
        encoder.append(littleEndian: now)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        sessionStartBlock = try decoder.read()
        groupRotationFrequency = try decoder.read()
        now = try decoder.read()
    }
}

/// Fault-tolerance thresholds of a validator set of size `n`.
public enum Thresholds {
    /// The most validators that may be faulty: (n − 1) / 3, and 0 for n = 0.
    public static func byzantine(_ n: Int) -> Int { max(n - 1, 0) / 3 }
    /// The fewest validators that outvote every faulty set: n − byzantine(n).
    public static func supermajority(_ n: Int) -> Int { n - byzantine(n) }
}
