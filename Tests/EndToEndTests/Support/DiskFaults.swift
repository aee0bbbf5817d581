import Foundation
import GRDB
import Glibc
import Synchronization
import TestSupport

/// Runs a command (found on `PATH`) to its end; its standard error on failure.
func runCommand(_ command: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [command] + arguments
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try launchSerially(process)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        throw CommandFailure(
            description: "\(command) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(text)")
    }
}

struct CommandFailure: Error, CustomStringConvertible { let description: String }

/// A data directory on a small tmpfs of its own, so that a ballast file can fill the disk under a running
/// node (`mount` needs root, as CI runs).
final class SmallDisk: Sendable {
    let directory: URL
    private var ballast: URL { directory.appendingPathComponent("ballast") }

    /// Whether this process may mount a tmpfs (root, in a container that allows it); tried once.
    static let available: Bool = {
        guard getuid() == 0 else { return false }
        guard let disk = try? SmallDisk(megabytes: 1) else { return false }
        disk.remove()
        return true
    }()

    init(megabytes: Int) throws {
        directory = BackingdProcess.temporaryDirectory()
        try runCommand("mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", directory.path])
    }

    /// Writes a ballast file until the file system refuses more (ENOSPC): the disk is full.
    /// - Returns: how many bytes the ballast took.
    @discardableResult
    func fill() throws -> Int {
        let fd = open(ballast.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CommandFailure(description: "cannot create \(ballast.path): errno \(errno)") }
        defer { close(fd) }
        var written = 0
        for chunk in [1 << 20, 4096, 512] {
            let bytes = [UInt8](repeating: 0xBA, count: chunk)
            while true {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, chunk) }
                guard n > 0 else { break }
                written += n
            }
        }
        guard errno == ENOSPC else { throw CommandFailure(description: "the ballast stopped with errno \(errno)") }
        return written
    }

    /// Deletes the ballast: the disk has room again.
    func free() { try? FileManager.default.removeItem(at: ballast) }

    /// Unmounts the tmpfs and removes the mount point.
    func remove() {
        try? runCommand("umount", [directory.path])
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The LD_PRELOAD interposer of `Tests/FaultInjection/faultinject.c`, built once per test run with the
/// toolchain's C compiler, and a control file that says which calls fail on which files.
final class FaultInjector: Sendable {
    let control: URL

    /// The shared object, or why it could not be built.
    static let library: Result<URL, CommandFailure> = {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("FaultInjection/faultinject.c")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "faultinject-\(UUID().uuidString).so")
        var failures: [String] = []
        for compiler in ["clang", "cc"] {
            do {
                try runCommand(compiler, ["-shared", "-fPIC", "-O1", "-o", output.path, source.path])
                return .success(output)
            } catch {
                failures.append("\(error)")
            }
        }
        return .failure(CommandFailure(description: failures.joined(separator: "; ")))
    }()

    init() {
        control = FileManager.default.temporaryDirectory.appendingPathComponent("fault-control-\(UUID().uuidString)")
        clear()
    }

    /// The variables that make a process load the interposer and read this control file.
    func environment() throws -> [String: String] {
        ["LD_PRELOAD": try Self.library.get().path, "BACKINGD_FAULT_CONTROL": control.path]
    }

    /// From now on `operation` (`write` or `fsync`) fails with `errno` (`EIO`, `EROFS`, `ENOSPC`) on every
    /// file whose path contains `pattern`.
    func inject(_ operation: String, _ errno: String, on pattern: String) {
        try? Data("\(operation) \(errno) \(pattern)\n".utf8).write(to: control, options: .atomic)
    }

    /// Every call works again.
    func clear() { try? Data().write(to: control, options: .atomic) }

    deinit { try? FileManager.default.removeItem(at: control) }
}

/// Another process's write transaction on a node's database (the test process is that other process),
/// holding SQLite's write lock until ``release()``.
final class WriteLockHolder: Sendable {
    private let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // The transaction is left open across accesses on purpose: holding the lock is the point.
        configuration.allowsUnsafeTransactions = true
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
    }

    func release() throws {
        try queue.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        try queue.close()
    }
}
