/// Checks `Authorization: Bearer <token>` against the configured token in time independent of where they differ.
struct BearerToken: Sendable {
    private let expected: [UInt8]

    init(_ token: String) { expected = Array(token.utf8) }

    /// Whether `authorization` (the header value) is `Bearer <the token>`; the scheme is case-insensitive.
    func accepts(_ authorization: String?) -> Bool {
        guard let authorization else { return false }
        let scheme = "bearer "
        guard authorization.count > scheme.count, authorization.prefix(scheme.count).lowercased() == scheme else {
            return false
        }
        return Self.constantTimeEqual(Array(authorization.utf8.dropFirst(scheme.count)), expected)
    }

    /// Compares every byte whatever the first difference; only the lengths leak (the expected length is
    /// not secret enough to matter, and padding cannot hide it from a timing attacker anyway).
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in 0..<max(lhs.count, rhs.count) {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
