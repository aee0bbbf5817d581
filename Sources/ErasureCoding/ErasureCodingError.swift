public import Primitives

/// Why erasure coding, reconstruction or a chunk proof was refused. Every case names the condition;
/// none of them is ever a crash.
public enum ErasureCodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than two validators: there would be nothing to spread the data over.
    case notEnoughValidators(Int)
    /// More validators than this implementation accepts (``ErasureCoding/maximumValidators``).
    case tooManyValidators(Int, maximum: Int)
    /// The payload to encode is empty (novelpoly's `BadPayload`).
    case emptyPayload
    /// The PoV's block data is over the 5 MiB limit (``ErasureCoding/maximumPoVSize``).
    case povTooLarge(Int, maximum: Int)
    /// The payload to encode is over ``ErasureCoding/maximumPayloadSize``.
    case payloadTooLarge(Int, maximum: Int)
    /// Fewer distinct chunks than the code needs to recover the data.
    case notEnoughChunks(received: Int, needed: Int)
    /// A chunk index is not below the validator count.
    case chunkIndexOutOfRange(Int, validators: Int)
    /// The same index was supplied twice with different bytes.
    case conflictingChunks(index: Int)
    /// A chunk's length is zero, odd, or longer than any payload within the limits could make.
    case invalidChunkLength(index: Int, length: Int)
    /// Two chunks have different lengths, so they cannot come from one encoding.
    case inconsistentChunkLengths(expected: Int, index: Int, length: Int)
    /// The recovered bytes are not one SCALE `AvailableData` followed by zero padding, so the chunks were
    /// not an honest encoding.
    case undecodablePayload(String)
    /// A chunk proof does not lead from the root to the chunk's leaf.
    case invalidProof(String)
    /// The chunk's hash is not the one the proof commits to.
    case chunkHashMismatch(index: Int, proven: H256, actual: H256)

    public var description: String {
        switch self {
        case .notEnoughValidators(let n): "need at least 2 validators, got \(n)"
        case .tooManyValidators(let n, let maximum): "at most \(maximum) validators are supported, got \(n)"
        case .emptyPayload: "the payload to encode is empty"
        case .povTooLarge(let size, let maximum): "the PoV is \(size) bytes, over the \(maximum)-byte limit"
        case .payloadTooLarge(let size, let maximum): "the payload is \(size) bytes, over the \(maximum)-byte limit"
        case .notEnoughChunks(let received, let needed): "\(received) distinct chunks, \(needed) needed"
        case .chunkIndexOutOfRange(let index, let validators):
            "chunk index \(index) is out of range for \(validators) validators"
        case .conflictingChunks(let index): "chunk \(index) was supplied twice with different bytes"
        case .invalidChunkLength(let index, let length): "chunk \(index) has an invalid length of \(length) bytes"
        case .inconsistentChunkLengths(let expected, let index, let length):
            "chunk \(index) is \(length) bytes long, the others \(expected)"
        case .undecodablePayload(let reason): "the recovered payload is not valid AvailableData: \(reason)"
        case .invalidProof(let reason): "invalid chunk proof: \(reason)"
        case .chunkHashMismatch(let index, let proven, let actual):
            "chunk \(index) hashes to \(actual), the proof commits to \(proven)"
        }
    }
}
