import Primitives

/// The erasure root backing compares with `descriptor.erasureRoot`.
enum ErasureRootCheck {
    static func root(nValidators: Int, availableData: AvailableData) throws -> Hash {
        fatalError("ErasureCoding module not merged yet")
    }
}
