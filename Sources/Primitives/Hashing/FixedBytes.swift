/// A value that is exactly `byteCount` raw bytes: hashes, public keys, signatures.
///
/// SCALE encodes such a value as its raw bytes, with no length prefix; JSON as `0x` hex.
///
/// The bytes are held inline (``InlineBytes``), not in an array. Why: a statement or a message carries a
/// dozen hashes, keys and signatures; as arrays each was a heap object of its own, retained, released and
/// freed on every copy, and that was the larger part of what carrying messages through the engine cost.
/// Read them in place with ``withUnsafeBytes(_:)``; ``bytes`` copies them into a new array.
public protocol FixedBytes: ScaleCodable, Hashable, Sendable, CustomStringConvertible {
    /// The inline storage, whose size is `byteCount`.
    associatedtype Storage: InlineBytes
    /// The raw bytes, in place.
    var storage: Storage { get }
    /// Wraps raw bytes.
    init(storage: Storage)
}

extension FixedBytes {
    /// The exact number of bytes of every value of this type.
    @inlinable public static var byteCount: Int { MemoryLayout<Storage>.size }

    /// Calls `body` with the `byteCount` raw bytes, without copying them to the heap.
    @inlinable
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try Swift.withUnsafeBytes(of: storage, body)
    }

    /// Makes a value whose `byteCount` bytes `initializer` writes (they start as zeros).
    @inlinable
    public init<Failure: Error>(
        initializingBytes initializer: (UnsafeMutableRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) {
        var storage = Storage.zero
        try Swift.withUnsafeMutableBytes(of: &storage, initializer)
        self.init(storage: storage)
    }

    /// Copies bytes whose length the caller has already checked (a precondition).
    @inlinable
    public init(unchecked bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "FixedBytes(unchecked:) given the wrong number of bytes")
        self.init { buffer in buffer.copyBytes(from: bytes) }
    }

    /// Copies `bytes`, or throws ``FixedBytesLengthError`` if their length is not `byteCount`.
    public init(_ bytes: some Collection<UInt8>) throws(FixedBytesLengthError) {
        guard bytes.count == Self.byteCount else {
            throw FixedBytesLengthError(expected: Self.byteCount, actual: bytes.count)
        }
        self.init { buffer in buffer.copyBytes(from: bytes) }
    }

    /// Parses `0x` hex of exactly `byteCount` bytes; `nil` otherwise.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == Self.byteCount else { return nil }
        self.init(unchecked: bytes)
    }

    /// A copy of the raw bytes in a new array; ``withUnsafeBytes(_:)`` reads them without one.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Whether this value's bytes sort before `other`'s (Rust's `Ord` for hashes: byte by byte).
    public func lexicographicallyPrecedes(_ other: Self) -> Bool {
        withUnsafeBytes { bytes in other.withUnsafeBytes { bytes.lexicographicallyPrecedes($0) } }
    }

    /// Lowercase `0x` hex.
    public var hex: String { withUnsafeBytes { Hex.encode($0) } }
    public var description: String { hex }

    /// A value whose bytes are all `byte` (handy for fixtures: `H256(repeating: 5)`).
    public init(repeating byte: UInt8) { self.init { $0.initializeMemory(as: UInt8.self, repeating: byte) } }

    /// The all-zero value (Rust's `Default` for hashes, keys and signatures).
    @inlinable public static var zero: Self { Self(storage: .zero) }

    @inlinable public static func == (lhs: Self, rhs: Self) -> Bool { lhs.storage == rhs.storage }

    @inlinable public func hash(into hasher: inout Hasher) { storage.hash(into: &hasher) }
}

/// Fixed-size raw bytes held inline as machine words: equality and hashing go a word at a time.
public protocol InlineBytes: Hashable, Sendable, BitwiseCopyable {
    /// All bytes zero.
    static var zero: Self { get }
}

/// 32 bytes inline: hashes and public keys.
@frozen
public struct InlineBytes32: InlineBytes {
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64)

    @inlinable init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    @inlinable public static var zero: Self { Self(words: (0, 0, 0, 0)) }

    @inlinable public static func == (lhs: Self, rhs: Self) -> Bool {
        (lhs.words.0 ^ rhs.words.0) | (lhs.words.1 ^ rhs.words.1) | (lhs.words.2 ^ rhs.words.2)
            | (lhs.words.3 ^ rhs.words.3) == 0
    }

    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

/// 64 bytes inline: signatures.
@frozen
public struct InlineBytes64: InlineBytes {
    @usableFromInline var low: InlineBytes32
    @usableFromInline var high: InlineBytes32

    @inlinable init(low: InlineBytes32, high: InlineBytes32) {
        self.low = low
        self.high = high
    }

    @inlinable public static var zero: Self { Self(low: .zero, high: .zero) }
}

/// A byte string of the wrong length where a fixed-size value was expected.
public struct FixedBytesLengthError: Error, Equatable, CustomStringConvertible {
    public let expected: Int
    public let actual: Int
    public var description: String { "expected \(expected) bytes, got \(actual)" }
}

/// A 32-byte value: a blake2b-256 hash (`Hash`, `CandidateHash`, `ValidationCodeHash`).
@frozen
public struct H256: FixedBytes {
    public let storage: InlineBytes32
    @inlinable public init(storage: InlineBytes32) { self.storage = storage }
}

/// An sr25519 public key (32 bytes): `ValidatorId`, `CollatorId`. JSON input also accepts SS58.
@frozen
public struct Sr25519Public: FixedBytes {
    public let storage: InlineBytes32
    @inlinable public init(storage: InlineBytes32) { self.storage = storage }
}

/// An sr25519 signature (64 bytes): `ValidatorSignature`, `CollatorSignature`.
@frozen
public struct Sr25519Signature: FixedBytes {
    public let storage: InlineBytes64
    @inlinable public init(storage: InlineBytes64) { self.storage = storage }
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
