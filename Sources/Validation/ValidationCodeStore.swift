public import Primitives
import Synchronization

/// Where validation code lives, keyed by its blake2b-256 hash (the runtime's storage of `CurrentCode`).
///
/// The service's SQLite store implements it for `PUT /v1/validation-code`;
/// ``InMemoryValidationCodeStore`` serves tests and the benchmark.
public protocol ValidationCodeStore: Sendable {
    /// The code whose hash is `hash`, or `nil` when none is registered.
    func code(for hash: ValidationCodeHash) async throws -> ValidationCode?
    /// Stores `code` under its hash; `inserted` is `false` when that code was already known.
    func store(_ code: ValidationCode) async throws -> (hash: ValidationCodeHash, inserted: Bool)
}

/// A ``ValidationCodeStore`` in a dictionary, lost with the process.
public final class InMemoryValidationCodeStore: ValidationCodeStore {
    private let codes = Mutex<[ValidationCodeHash: ValidationCode]>([:])

    /// An empty store, or one holding `codes`.
    public init(_ codes: [ValidationCode] = []) {
        for code in codes { self.codes.withLock { $0[code.hash] = code } }
    }

    public func code(for hash: ValidationCodeHash) async throws -> ValidationCode? {
        codes.withLock { $0[hash] }
    }

    public func store(_ code: ValidationCode) async throws -> (hash: ValidationCodeHash, inserted: Bool) {
        let hash = code.hash
        let inserted = codes.withLock { codes in
            guard codes[hash] == nil else { return false }
            codes[hash] = code
            return true
        }
        return (hash, inserted)
    }
}
