/// A database could not make a write durable: the disk is full, the device failed (I/O error on a write
/// or an fsync), another process holds the write lock, or the file system is read-only.
///
/// Adapters classify their storage errors into this one type, so that the service answers 503 with
/// `Retry-After` and reports the reason on `/readyz` whichever database failed. What was being written
/// is not durable and must be treated as never written (a failed fsync may have lost the pages), until
/// the database is opened again.
public struct StorageFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database file that failed (`outbox.sqlite`, `node.sqlite`).
    public let database: String
    /// What failed, in words (`the disk is full`), with the underlying code.
    public let reason: String

    public init(database: String, reason: String) {
        self.database = database
        self.reason = reason
    }

    public var description: String { "\(database): \(reason)" }
}
