/// A `u32` newtype of polkadot-primitives (`ParaId`, `ValidatorIndex`, `CoreIndex`, `GroupIndex`).
///
/// SCALE: 4 bytes little-endian (never compact). JSON: a plain number.
public protocol U32Newtype: ScaleCodable, Codable, Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    var rawValue: UInt32 { get }
    init(_ rawValue: UInt32)
}

extension U32Newtype {
    public init(integerLiteral value: UInt32) { self.init(value) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }

    public func encode(to encoder: inout ScaleEncoder) { encoder.append(littleEndian: rawValue) }
    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        self.init(try decoder.read(littleEndian: UInt32.self))
    }
    public static var minimumEncodedSize: Int { 4 }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decodeU32())
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A parachain's id (`polkadot_parachain::primitives::Id`).
public struct ParaId: U32Newtype {
    public let rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
}

/// A validator's position in the session's validator list.
public struct ValidatorIndex: U32Newtype {
    public let rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
}

/// An availability core's index.
public struct CoreIndex: U32Newtype {
    public let rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
}

/// A validator group's index in the session's group list.
public struct GroupIndex: U32Newtype {
    public let rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
}

/// `sp_staking::SessionIndex`.
public typealias SessionIndex = UInt32
/// A relay-chain block number.
public typealias BlockNumber = UInt32
