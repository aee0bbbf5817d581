import Foundation
import Synchronization
import TestSupport
import Testing

/// The built `backingd` binary running `serve` on a loopback port with its own data folder, as a user
/// would start it. Reads the bound port from the first line of standard output.
final class BackingdProcess: Sendable {
    let dataDirectory: URL
    let arguments: [String]
    /// Variables added to the test's own environment (the disk-fault tests preload an interposer).
    let environment: [String: String]
    private let process = Mutex<Process?>(nil)
    private let baseURLValue = Mutex<String?>(nil)
    /// Everything the node wrote to standard error (its logs), for failure messages.
    let logs = LogBuffer()

    final class LogBuffer: Sendable {
        private let text = Mutex("")
        func append(_ more: String) { text.withLock { $0 += more } }
        var value: String { text.withLock { $0 } }
    }

    /// The `backingd` executable next to the test bundle in the build folder.
    static var executable: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if url.pathExtension == "xctest" { url.deleteLastPathComponent() }
        return url.appendingPathComponent("backingd")
    }

    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("backingd-e2e-\(UUID().uuidString)")
        // Safe because: the temporary directory is writable on every machine the tests run on.
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    init(
        arguments: [String], dataDirectory: URL = BackingdProcess.temporaryDirectory(),
        environment: [String: String] = [:]
    ) {
        self.arguments = arguments
        self.dataDirectory = dataDirectory
        self.environment = environment
    }

    /// `http://127.0.0.1:PORT`.
    var baseURL: String {
        // Safe because: only read after `start()` returned.
        baseURLValue.withLock { $0! }
    }

    /// Starts the node and waits until it listens.
    func start(listen: String = "127.0.0.1:0", timeout: Duration = .seconds(30)) async throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments =
            ["serve", "--listen", listen, "--data-dir", dataDirectory.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["BACKINGD_LOG_LEVEL"] = "info"
        environment.merge(self.environment) { _, ours in ours }
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        stderr.fileHandleForReading.readabilityHandler = { [logs] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            logs.append(text)
        }
        let firstLine = AsyncStream<String> { continuation in
            let buffer = Mutex("")
            stdout.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty {
                    continuation.finish()
                    return
                }
                let line = buffer.withLock { text -> String? in
                    text += String(decoding: data, as: UTF8.self)
                    guard let newline = text.firstIndex(of: "\n") else { return nil }
                    return String(text[..<newline])
                }
                if let line {
                    continuation.yield(line)
                    continuation.finish()
                }
            }
        }
        try launchSerially(process)
        self.process.withLock { $0 = process }
        let line = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                for await line in firstLine { return line }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let line, let range = line.range(of: "http://") else {
            throw StartFailure(logs: logs.value)
        }
        baseURLValue.withLock { $0 = String(line[range.lowerBound...]) }
    }

    struct StartFailure: Error, CustomStringConvertible {
        let logs: String
        var description: String { "backingd did not start:\n\(logs)" }
    }

    /// The running node's process id (`nil` before ``start(listen:timeout:)``).
    var processIdentifier: Int32? { process.withLock { $0?.processIdentifier } }

    /// The node's resident set size in bytes (`VmRSS` of `/proc/PID/status`), `nil` when it is not running.
    var residentBytes: Int? {
        guard let pid = processIdentifier,
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kib * 1024
    }

    /// SIGTERM, then waits for a clean exit; returns the exit status.
    @discardableResult
    func stop() async -> Int32 {
        guard let process = process.withLock({ $0 }) else { return -1 }
        process.terminate()
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        return process.terminationStatus
    }

    /// SIGKILL: the process gets no chance to flush anything.
    func kill() async {
        guard let process = process.withLock({ $0 }) else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    deinit {
        if let process = process.withLock({ $0 }), process.isRunning { process.terminate() }
    }
}
