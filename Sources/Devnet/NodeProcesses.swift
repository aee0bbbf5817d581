import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The `backingd serve` children of `backingd devnet --processes`: starts them, notices when one ends
/// while the devnet runs (which stops the devnet with an error), and stops them all, in order, at the end.
final class NodeProcesses: Sendable {
    private struct State {
        var children: [NodeProcess] = []
        /// Set once ``stop()`` began: children ending after it are expected to.
        var stopping = false
        /// The first child that ended on its own.
        var lost: NodeProcess?
    }

    private let state = Mutex(State())

    /// The children in node order.
    var children: [NodeProcess] { state.withLock { $0.children } }

    /// The first child that ended while the devnet still needed it.
    var lost: NodeProcess? { state.withLock { $0.lost } }

    /// Starts node `index` with `command` (see ``NodeProcess/start(index:command:environment:logPath:onExit:)``).
    func start(index: Int, command: [String], environment: [String: String], logPath: String) async throws {
        let child = try await NodeProcess.start(
            index: index, command: command, environment: environment, logPath: logPath
        ) { child in
            self.state.withLock { state in
                if !state.stopping && state.lost == nil { state.lost = child }
            }
        }
        state.withLock { $0.children.append(child) }
    }

    /// Returns the first child that ends on its own (checked every 100 ms), or `nil` when cancelled.
    func firstLoss() async -> NodeProcess? {
        while !Task.isCancelled {
            if let lost { return lost }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// The error that says `child` ended, with the end of its output.
    static func lossError(_ child: NodeProcess, name: String) -> DevnetError {
        .process(
            "node \(child.index) (\(name), pid \(child.pid)) \(child.ended?.description ?? "ended"); "
                + "the last lines of \(child.logPath):\n\(child.lastLines())")
    }

    /// Stops every child: SIGTERM to each process group (a node shuts down gracefully, flushing its
    /// outbox), then, for any still running after `grace`, SIGKILL. Returns once every child has been reaped.
    func stop(grace: Duration = .seconds(20)) async {
        let children = state.withLock { state in
            state.stopping = true
            return state.children
        }
        for child in children { child.signal(SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while children.contains(where: { $0.ended == nil }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        for child in children where child.ended == nil { child.signal(SIGKILL) }
        let killed = ContinuousClock.now + .seconds(10)
        while children.contains(where: { $0.ended == nil }) && ContinuousClock.now < killed {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
