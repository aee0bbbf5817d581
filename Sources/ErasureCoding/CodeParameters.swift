/// The shape of the code for a validator count (erasure-coding.md §2.2).
public struct CodeParameters: Hashable, Sendable {
    /// The number of validators, i.e. of chunks emitted.
    public let validatorCount: Int
    /// Symbols per run: the recovery threshold `(n-1)/3+1` rounded down to a power of two. Any `k`
    /// chunks recover the data.
    public let k: Int
    /// The codeword length: `n` rounded up to a power of two. Only the first `n` positions are emitted.
    public let codewordLength: Int

    /// Derives the parameters for `nValidators`.
    /// - Throws: ``ErasureCodingError/notEnoughValidators(_:)`` below 2,
    ///   ``ErasureCodingError/tooManyValidators(_:maximum:)`` above ``ErasureCoding/maximumValidators``.
    public init(nValidators: Int) throws(ErasureCodingError) {
        guard nValidators >= 2 else { throw .notEnoughValidators(nValidators) }
        guard nValidators <= ErasureCoding.maximumValidators else {
            throw .tooManyValidators(nValidators, maximum: ErasureCoding.maximumValidators)
        }
        let threshold = (nValidators - 1) / 3 + 1
        validatorCount = nValidators
        k = 1 << (Int.bitWidth - 1 - threshold.leadingZeroBitCount)
        codewordLength =
            nValidators.nonzeroBitCount == 1 ? nValidators : 1 << (Int.bitWidth - nValidators.leadingZeroBitCount)
    }

    /// The chunk length in bytes for a payload of `payloadLength` bytes: two bytes per run of `2k` bytes.
    public func chunkLength(payloadLength: Int) -> Int {
        2 * ((payloadLength + 2 * k - 1) / (2 * k))
    }
}
