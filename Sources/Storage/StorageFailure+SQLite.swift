public import Backing
import GRDB

extension StorageFailure {
    /// Classifies an error of a SQLite operation on `database` (a file name) by its result code: the disk
    /// is full, an I/O error on a write or an fsync, the write lock held by another connection, a
    /// read-only file or file system. A ``StorageFailure`` stays as it is.
    public init(_ error: any Error, database: String) {
        if let failure = error as? StorageFailure {
            self = failure
            return
        }
        guard let error = error as? DatabaseError else {
            self.init(database: database, reason: "\(error)")
            return
        }
        let reason: String
        switch error.extendedResultCode {
        case .SQLITE_FULL: reason = "the disk is full"
        case .SQLITE_IOERR_FSYNC, .SQLITE_IOERR_DIR_FSYNC: reason = "an fsync failed with an I/O error"
        case .SQLITE_IOERR_WRITE: reason = "a write failed with an I/O error"
        case .SQLITE_BUSY, .SQLITE_LOCKED: reason = "another process holds the database's write lock"
        case .SQLITE_READONLY, .SQLITE_READONLY_DBMOVED, .SQLITE_READONLY_DIRECTORY:
            reason = "the database is read-only"
        default:
            switch error.resultCode {
            case .SQLITE_IOERR: reason = "an I/O error"
            case .SQLITE_BUSY, .SQLITE_LOCKED: reason = "another process holds the database's write lock"
            case .SQLITE_READONLY: reason = "the database is read-only"
            case .SQLITE_CANTOPEN, .SQLITE_PERM: reason = "the database file cannot be opened for writing"
            default: reason = "a database error"
            }
        }
        self.init(database: database, reason: "\(reason) (\(Self.codeName(error)))")
    }

    /// `SQLITE_FULL`, `SQLITE_IOERR_WRITE`, … or the number of an unnamed code.
    private static func codeName(_ error: DatabaseError) -> String {
        let names: [(ResultCode, String)] = [
            (.SQLITE_FULL, "SQLITE_FULL"), (.SQLITE_IOERR_FSYNC, "SQLITE_IOERR_FSYNC"),
            (.SQLITE_IOERR_DIR_FSYNC, "SQLITE_IOERR_DIR_FSYNC"), (.SQLITE_IOERR_WRITE, "SQLITE_IOERR_WRITE"),
            (.SQLITE_IOERR, "SQLITE_IOERR"), (.SQLITE_BUSY, "SQLITE_BUSY"), (.SQLITE_LOCKED, "SQLITE_LOCKED"),
            (.SQLITE_READONLY, "SQLITE_READONLY"), (.SQLITE_CANTOPEN, "SQLITE_CANTOPEN"), (.SQLITE_PERM, "SQLITE_PERM"),
        ]
        return names.first { $0.0 == error.extendedResultCode }?.1 ?? names.first { $0.0 == error.resultCode }?.1
            ?? "SQLite code \(error.extendedResultCode.rawValue)"
    }
}
