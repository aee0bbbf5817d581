import ErasureCoding
import Primitives

/// The erasure root backing compares with `descriptor.erasureRoot`: the chunk-trie root of the
/// available data erasure-coded for the leaf's whole validator set (not the backing group).
enum ErasureRootCheck {
    static func root(nValidators: Int, availableData: AvailableData) throws -> Hash {
        try ErasureCoding.erasureRoot(nValidators: nValidators, availableData: availableData)
    }
}
