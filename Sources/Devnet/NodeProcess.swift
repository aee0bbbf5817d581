import CShims
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One `backingd serve` child of `backingd devnet --processes`, started the way a user would start a
/// node on its own machine: its own data folder, port, key, web-hooks and peers, on the command line.
///
/// The child dies with the devnet: it gets SIGTERM when the thread that started it ends, which is the
/// thread that waits for it (it lives exactly as long as the child, and ends with the process, even on
/// SIGKILL). It leads its own process group, so a terminal's Ctrl-C reaches the devnet only, which then
/// stops its nodes in order, and a signal to the group reaches whatever the child runs under a
/// ``DevnetConfiguration/ProcessOptions/spawnPrefix`` (e.g. `ip netns exec`).
final class NodeProcess: Sendable {
    /// How a child ended, from `waitpid`.
    enum Ending: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        init(waitStatus status: Int32) {
            // WIFEXITED/WEXITSTATUS/WTERMSIG are C macros Swift does not import.
            self = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
        }

        var description: String {
            switch self {
            case .exited(let code): "exited with status \(code)"
            case .signalled(let signal): "was killed by signal \(signal)"
            }
        }
    }

    let index: Int
    let pid: Int32
    /// Its standard output and error (emptied when it starts).
    let logPath: String
    private let ending = Mutex<Ending?>(nil)

    private init(index: Int, pid: Int32, logPath: String) {
        self.index = index
        self.pid = pid
        self.logPath = logPath
    }

    /// How it ended, `nil` while it runs.
    var ended: Ending? { ending.withLock { $0 } }

    /// Starts `command` (the first word a path or a name looked up in `PATH`) with `environment`, its
    /// output in `logPath`, on a thread of its own that then waits for it.
    /// - Parameter onExit: called (on that thread) once the child has ended.
    static func start(
        index: Int, command: [String], environment: [String: String], logPath: String,
        onExit: @escaping @Sendable (NodeProcess) -> Void
    ) async throws -> NodeProcess {
        guard let name = command.first else { throw DevnetError.invalid("node \(index): empty command") }
        let executable = try resolve(name, path: environment["PATH"])
        let output = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw DevnetError.process("node \(index): cannot open \(logPath): \(errnoText())") }
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            close(output)
            throw DevnetError.process("node \(index): cannot open /dev/null: \(errnoText())")
        }
        let environmentLines = environment.map { "\($0.key)=\($0.value)" }.sorted()
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                // errno is read at once: freeing the C strings afterwards may change it.
                let (pid, spawnError) = withCStrings(command) { argv in
                    withCStrings(environmentLines) { envp in
                        (cshims_spawn_supervised(executable, argv, envp, input, output, SIGTERM), errno)
                    }
                }
                close(input)
                close(output)
                guard pid > 0 else {
                    continuation.resume(
                        throwing: DevnetError.process(
                            "node \(index): cannot start \(executable): \(String(cString: strerror(spawnError)))"))
                    return
                }
                let child = NodeProcess(index: index, pid: pid, logPath: logPath)
                continuation.resume(returning: child)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                child.ending.withLock { $0 = Ending(waitStatus: status) }
                onExit(child)
            }
            thread.name = "devnet-node-\(index)"
            thread.start()
        }
    }

    /// Sends `signal` to the child's process group (the child and anything a spawn prefix left between).
    func signal(_ signal: Int32) {
        guard ended == nil else { return }
        kill(-pid, signal)
    }

    /// The last `count` lines of its output, for an error message.
    func lastLines(_ count: Int = 15) -> String {
        guard let data = FileManager.default.contents(atPath: logPath) else { return "(no output)" }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(count).map { "    \($0)" }.joined(separator: "\n")
    }

    /// `name` itself when it holds a slash, else the first executable `dir/name` of `path`.
    static func resolve(_ name: String, path: String?) throws -> String {
        if name.contains("/") { return name }
        for folder in (path ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw DevnetError.invalid("\(name): not found in PATH")
    }
}

/// Calls `body` with `strings` as a NULL-terminated C array, valid only during the call (the strings are
/// copied before a fork: the child must not allocate).
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) } + [nil]
    defer { for copy in copies { free(copy) } }
    return body(copies)
}

private func errnoText() -> String { String(cString: strerror(errno)) }
