public import Primitives

/// Polkadot's availability erasure coding, bit for bit as polkadot-erasure-coding 0.9.12 with
/// reed-solomon-novelpoly 1.0.0: the chunks of an `AvailableData`, their erasure root, and the way back.
///
/// Backing recomputes the erasure root of every candidate it validates and refuses one whose descriptor
/// commits to another, so these functions must match Polkadot exactly.
public enum ErasureCoding {
    /// The largest validator count accepted (Polkadot's own bound is 65536; real sets stay far below).
    public static let maximumValidators = 10_000
    /// The PoV size limit (polkadot `MAX_POV_SIZE`, 5 MiB of block data).
    public static let maximumPoVSize = 5 * 1024 * 1024
    /// The largest payload (SCALE `AvailableData`) accepted: the PoV limit plus 1 MiB for the persisted
    /// validation data, whose parent head is far smaller in practice.
    public static let maximumPayloadSize = maximumPoVSize + 1024 * 1024

    /// The chunks of `availableData` for `nValidators` validators (polkadot `obtain_chunks_v1`): one per
    /// validator, all of the same even length; chunk `i` belongs to validator `i`.
    /// - Throws: ``ErasureCodingError/notEnoughValidators(_:)`` or
    ///   ``ErasureCodingError/tooManyValidators(_:maximum:)`` for a count outside 2...10,000;
    ///   ``ErasureCodingError/povTooLarge(_:maximum:)`` or ``ErasureCodingError/payloadTooLarge(_:maximum:)``
    ///   for data over the limits.
    public static func obtainChunks(nValidators: Int, availableData: AvailableData) throws(ErasureCodingError)
        -> [[UInt8]]
    {
        let parameters = try CodeParameters(nValidators: nValidators)
        let povSize = availableData.pov.blockData.bytes.count
        guard povSize <= maximumPoVSize else { throw .povTooLarge(povSize, maximum: maximumPoVSize) }
        return try obtainChunks(parameters: parameters, payload: availableData.scaleEncoded)
    }

    /// The chunks of an arbitrary non-empty `payload` (novelpoly's `encode`), for tests and tools.
    /// - Throws: as ``obtainChunks(nValidators:availableData:)``, and ``ErasureCodingError/emptyPayload``.
    public static func obtainChunks(nValidators: Int, payload: [UInt8]) throws(ErasureCodingError) -> [[UInt8]] {
        try obtainChunks(parameters: CodeParameters(nValidators: nValidators), payload: payload)
    }

    private static func obtainChunks(parameters: CodeParameters, payload: [UInt8]) throws(ErasureCodingError)
        -> [[UInt8]]
    {
        guard !payload.isEmpty else { throw .emptyPayload }
        guard payload.count <= maximumPayloadSize else {
            throw .payloadTooLarge(payload.count, maximum: maximumPayloadSize)
        }
        return ReedSolomonEncoder.encode(payload, parameters: parameters)
    }

    /// The erasure root of `availableData` for `nValidators` validators: what
    /// `CandidateDescriptor.erasureRoot` must equal (polkadot `branches(&obtain_chunks_v1(..)).root()`).
    /// - Throws: as ``obtainChunks(nValidators:availableData:)``.
    public static func erasureRoot(nValidators: Int, availableData: AvailableData) throws(ErasureCodingError) -> H256 {
        ChunkTree(chunks: try obtainChunks(nValidators: nValidators, availableData: availableData)).root
    }

    /// Recovers the `AvailableData` from any `k` of its chunks (polkadot `reconstruct_v1`); more chunks are
    /// fine, and a chunk given twice with the same bytes counts once.
    /// - Throws: ``ErasureCodingError/notEnoughChunks(received:needed:)`` with fewer than `k` distinct
    ///   chunks; ``ErasureCodingError/chunkIndexOutOfRange(_:validators:)``,
    ///   ``ErasureCodingError/conflictingChunks(index:)``, ``ErasureCodingError/invalidChunkLength(index:length:)``
    ///   or ``ErasureCodingError/inconsistentChunkLengths(expected:index:length:)`` for chunks that cannot come
    ///   from one encoding; ``ErasureCodingError/undecodablePayload(_:)`` when the recovered bytes are not
    ///   one `AvailableData` followed by zero padding; the validator-count errors of ``CodeParameters``.
    public static func reconstruct(nValidators: Int, chunks: some Sequence<ErasureChunk>)
        throws(ErasureCodingError) -> AvailableData
    {
        let payload = try reconstructPayload(nValidators: nValidators, chunks: chunks)
        var decoder = ScaleDecoder(payload)
        let availableData: AvailableData
        do {
            availableData = try AvailableData(from: &decoder)
        } catch {
            throw .undecodablePayload("\(error)")
        }
        // Honest chunks pad with zeros only; anything else means they were not one encoding.
        guard payload[decoder.offset...].allSatisfy({ $0 == 0 }) else {
            throw .undecodablePayload("non-zero bytes after the encoded value")
        }
        return availableData
    }

    /// Recovers the encoded payload, zero-padded to a whole number of runs, from any `k` chunks.
    /// - Throws: the chunk and validator-count errors of ``reconstruct(nValidators:chunks:)``.
    public static func reconstructPayload(nValidators: Int, chunks: some Sequence<ErasureChunk>)
        throws(ErasureCodingError) -> [UInt8]
    {
        let parameters = try CodeParameters(nValidators: nValidators)
        let maximumChunkLength = parameters.chunkLength(payloadLength: maximumPayloadSize)
        var byIndex = [[UInt8]?](repeating: nil, count: nValidators)
        var chunkLength: Int?
        var distinct = 0
        for chunk in chunks {
            guard (0..<nValidators).contains(chunk.index) else {
                throw .chunkIndexOutOfRange(chunk.index, validators: nValidators)
            }
            let length = chunk.bytes.count
            guard length > 0, length % 2 == 0, length <= maximumChunkLength else {
                throw .invalidChunkLength(index: chunk.index, length: length)
            }
            if let expected = chunkLength, expected != length {
                throw .inconsistentChunkLengths(expected: expected, index: chunk.index, length: length)
            }
            chunkLength = length
            if let existing = byIndex[chunk.index] {
                guard existing == chunk.bytes else { throw .conflictingChunks(index: chunk.index) }
                continue
            }
            byIndex[chunk.index] = chunk.bytes
            distinct += 1
        }
        guard distinct >= parameters.k, let chunkLength else {
            throw .notEnoughChunks(received: distinct, needed: parameters.k)
        }
        return ReedSolomonDecoder.decode(chunks: byIndex, parameters: parameters, chunkLength: chunkLength)
    }
}

/// One validator's chunk: its index in the validator set and its bytes.
public struct ErasureChunk: Hashable, Sendable {
    /// The validator (and chunk) index.
    public var index: Int
    /// The chunk's bytes.
    public var bytes: [UInt8]

    public init(index: Int, bytes: [UInt8]) {
        self.index = index
        self.bytes = bytes
    }
}
