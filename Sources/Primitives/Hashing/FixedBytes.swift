/// A value that is exactly `byteCount` raw bytes: hashes, public keys, signatures.
///
/// SCALE encodes such a value as its raw bytes, with no length prefix; JSON as `0x` hex.
public protocol FixedBytes: ScaleCodable, Hashable, Sendable, CustomStringConvertible {
    /// The exact number of bytes of every value of this type.
    static var byteCount: Int { get }
    /// The raw bytes; always `byteCount` long.
    var bytes: [UInt8] { get }
    /// Wraps bytes whose length the caller has already checked.
    init(unchecked bytes: [UInt8])
}

extension FixedBytes {
    /// Wraps `bytes`, or throws ``FixedBytesLengthError`` if their length is not `byteCount`.
    public init(_ bytes: some Collection<UInt8>) throws(FixedBytesLengthError) {
        guard bytes.count == Self.byteCount else {
            throw FixedBytesLengthError(expected: Self.byteCount, actual: bytes.count)
        }
        self.init(unchecked: Array(bytes))
    }

    /// Parses `0x` hex of exactly `byteCount` bytes; `nil` otherwise.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == Self.byteCount else { return nil }
        self.init(unchecked: bytes)
    }

    /// Lowercase `0x` hex.
    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    /// A value whose bytes are all `byte` (handy for fixtures: `H256(repeating: 5)`).
    public init(repeating byte: UInt8) { self.init(unchecked: [UInt8](repeating: byte, count: Self.byteCount)) }

    /// The all-zero value (Rust's `Default` for hashes, keys and signatures).
    public static var zero: Self { Self(repeating: 0) }

    /// Feeds the bytes to the hasher in one call. Why: the synthesized conformance hashes the array byte by
    /// byte (`Hasher.combine(UInt8)` 32 times), and hashes key the engine's dictionaries (candidates,
    /// relay parents, chains): it was 2 % of an async-backing batch import on its own.
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// A byte string of the wrong length where a fixed-size value was expected.
public struct FixedBytesLengthError: Error, Equatable, CustomStringConvertible {
    public let expected: Int
    public let actual: Int
    public var description: String { "expected \(expected) bytes, got \(actual)" }
}

/// A 32-byte value: a blake2b-256 hash (`Hash`, `CandidateHash`, `ValidationCodeHash`).
public struct H256: FixedBytes {
    public static let byteCount = 32
    public let bytes: [UInt8]
    public init(unchecked bytes: [UInt8]) { self.bytes = bytes }
}

/// An sr25519 public key (32 bytes): `ValidatorId`, `CollatorId`. JSON input also accepts SS58.
public struct Sr25519Public: FixedBytes {
    public static let byteCount = 32
    public let bytes: [UInt8]
    public init(unchecked bytes: [UInt8]) { self.bytes = bytes }
}

/// An sr25519 signature (64 bytes): `ValidatorSignature`, `CollatorSignature`.
public struct Sr25519Signature: FixedBytes {
    public static let byteCount = 64
    public let bytes: [UInt8]
    public init(unchecked bytes: [UInt8]) { self.bytes = bytes }
}

/// Polkadot's `Hash` (`sp_core::H256`).
public typealias Hash = H256
/// `CandidateHash`: blake2b-256 of the SCALE-encoded `CandidateReceipt`.
public typealias CandidateHash = H256
/// `ValidationCodeHash`: blake2b-256 of the raw validation code.
public typealias ValidationCodeHash = H256
/// A validator's `para` session key.
public typealias ValidatorId = Sr25519Public
/// A collator's `coll` key.
public typealias CollatorId = Sr25519Public
public typealias ValidatorSignature = Sr25519Signature
public typealias CollatorSignature = Sr25519Signature
