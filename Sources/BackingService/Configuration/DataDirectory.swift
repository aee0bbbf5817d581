import Foundation
import Glibc

/// The data directory, checked before any database opens: a node that cannot write there must say so
/// in words and stop, not fail later on an SQLite code ("unable to open database file").
enum DataDirectory {
    /// Why the data directory cannot hold the node's databases.
    struct Unusable: Error, CustomStringConvertible {
        let path: String
        let reason: String

        var description: String {
            "data directory \(path): \(reason); backingd writes its databases (outbox.sqlite, node.sqlite) there: "
                + "make it writable or choose another --data-dir"
        }
    }

    /// Creates `path` if needed and proves it writable by creating and removing a probe file (a check of
    /// the mode bits would pass for root on a read-only file system).
    static func prepare(_ path: String) throws(Unusable) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            // Foundation's error wraps the cause; mkdir(2) names it (read-only file system, a file in the
            // way, no permission…), as the parents now exist where they could be made.
            let reason = mkdir(path, 0o755) == 0 ? "\(error)" : String(cString: strerror(errno))
            throw Unusable(path: path, reason: "cannot be created (\(reason))")
        }
        let probe = (path as NSString).appendingPathComponent(".write-probe-\(getpid())")
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else {
            let reason = errno == EROFS ? "is on a read-only file system" : "is not writable"
            throw Unusable(path: path, reason: "\(reason) (\(String(cString: strerror(errno))))")
        }
        close(fd)
        unlink(probe)
    }
}
