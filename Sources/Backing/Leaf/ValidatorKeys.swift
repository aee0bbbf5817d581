public import Crypto
public import Primitives
import Synchronization

/// A leaf's validator keys, each decoded (a ristretto255 decompression, a tenth of a verification) the
/// first time a statement names it, and kept for as long as the leaf is active.
///
/// Concurrency: lookups take a `Mutex` for the short time of a dictionary access; decoding happens
/// outside it, so two threads may decode the same key once each, which is harmless.
public final class ValidatorKeys: Sendable {
    public let validators: [ValidatorId]
    private let decoded = Mutex<[Int: Sr25519VerifyingKey?]>([:])

    public init(_ validators: [ValidatorId]) { self.validators = validators }

    /// The decoded key of validator `index`; `nil` when the index is outside the set or the key cannot
    /// sign anything (not a canonical encoding).
    public func key(_ index: Int) -> Sr25519VerifyingKey? {
        guard index >= 0, index < validators.count else { return nil }
        if let known = decoded.withLock({ $0[index] }) { return known }
        let key = Sr25519VerifyingKey(validators[index])
        decoded.withLock { $0[index] = key }
        return key
    }

    /// The keys the given validators need, at their indices (others `nil`), in the shape
    /// ``Primitives/UncheckedSigned/areSignaturesValid(_:context:validatorKeys:)`` takes.
    public func keys(for indices: some Sequence<Int>) -> [Sr25519VerifyingKey?] {
        var keys = [Sr25519VerifyingKey?](repeating: nil, count: validators.count)
        for index in indices where index >= 0 && index < validators.count && keys[index] == nil {
            keys[index] = key(index)
        }
        return keys
    }
}
