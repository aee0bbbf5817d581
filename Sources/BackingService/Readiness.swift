import Backing
import HTTPServer
import Synchronization

/// Whether the node serves the engine's routes: not while the journal is being replayed at start, nor
/// from a storage failure until the database works again and the engine is rebuilt from it.
///
/// A request that needs durability takes a ``Ticket`` before it touches the engine and is acknowledged
/// only if no outbox commit failed and no rebuild of the engine began in between: its effects might have
/// been dropped, or it may have run on a job the rebuild replaced. (A failure of another database alone
/// does not touch what the request committed to the outbox, which the rebuild replays.)
final class Readiness: Sendable {
    enum State: Sendable, Equatable {
        case restoring
        case ready
        /// The databases that failed, by file name, and why.
        case storageFailed([String: StorageFailure])
    }

    struct Ticket: Sendable, Equatable {
        let rebuilds: Int
        let outboxFailures: Int
    }

    /// The state, and a generation counting every change of it (a rebuild is ready only if no failure
    /// came while it ran).
    private let current = Mutex<(state: State, generation: Int)>((.restoring, 0))
    /// Rebuilds of the engine begun since start.
    private let rebuilds = Atomic<Int>(0)

    /// A rebuild of the engine begins: requests that took their ticket before are not acknowledged.
    func rebuildBegins() { rebuilds.add(1, ordering: .sequentiallyConsistent) }

    var state: State { current.withLock { $0.state } }

    var isReady: Bool { state == .ready }

    /// Ready after the start's restore, unless a storage failure came meanwhile (the recovery makes the
    /// node ready once the database works again).
    func markReady() {
        current.withLock { current in
            guard current.state == .restoring else { return }
            current = (.ready, current.generation + 1)
        }
    }

    /// Records a failure of `failure.database` (joining any other database's failure).
    func storageFailed(_ failure: StorageFailure) {
        current.withLock { current in
            var failures: [String: StorageFailure] = [:]
            if case .storageFailed(let earlier) = current.state { failures = earlier }
            failures[failure.database] = failure
            current = (.storageFailed(failures), current.generation + 1)
        }
    }

    /// Ready again after a rebuild that began at `ticket`'s generation, unless a failure came since.
    /// - Returns: whether the node is ready.
    func markRecovered(since generation: Int) -> Bool {
        current.withLock { current in
            guard current.generation == generation else { return false }
            current = (.ready, current.generation + 1)
            return true
        }
    }

    /// The current generation (to start a rebuild at).
    var generation: Int { current.withLock { $0.generation } }

    /// A ticket for a request that needs the engine; `outboxFailures` is the outbox's failure count read
    /// just before.
    /// - Throws: ``NotReadyProblem`` (503 with `Retry-After`) when the node is not ready.
    func ticket(outboxFailures: Int) throws(NotReadyProblem) -> Ticket {
        let rebuilds = rebuilds.load(ordering: .sequentiallyConsistent)
        let state = self.state
        guard state == .ready else { throw NotReadyProblem(state: state) }
        return Ticket(rebuilds: rebuilds, outboxFailures: outboxFailures)
    }

    /// Whether no rebuild began since `ticket` was taken and the outbox failed as often as then.
    func isCurrent(_ ticket: Ticket, outboxFailures: Int) -> Bool {
        ticket.outboxFailures == outboxFailures && ticket.rebuilds == rebuilds.load(ordering: .sequentiallyConsistent)
    }

    /// Why the node is not ready, in words (`nil` when it is).
    var reason: String? {
        switch state {
        case .ready: nil
        case .restoring: "restoring leaves from the journal"
        case .storageFailed(let failures):
            "storage failure: " + failures.values.map(\.description).sorted().joined(separator: "; ")
                + "; writes are retried until the database works again"
        }
    }
}

/// The answer to an engine route while the node restores its leaves or waits for its storage to work
/// again: 503 with `Retry-After`.
struct NotReadyProblem: HTTPError {
    let state: Readiness.State

    var problem: ProblemDetails {
        switch state {
        case .storageFailed(let failures):
            .unavailable(
                "storage failure (\(failures.values.map(\.description).sorted().joined(separator: "; "))): "
                    + "the request was not acknowledged; retry once /readyz answers 200")
        default:
            .unavailable("the node is restoring its leaves from the journal; retry shortly")
        }
    }
    var headers: HTTPHeaders { ["retry-after": "1"] }
}

/// A request that needed durability met a storage failure: 503 with `Retry-After`. What it changed in
/// memory is undone: the engine is rebuilt from the database before the node is ready again.
struct StorageFailureProblem: HTTPError {
    let detail: String

    init(_ failure: StorageFailure) {
        detail = "storage failure (\(failure)): the request was not acknowledged; retry once /readyz answers 200"
    }

    init(interruptedBy reason: String?) {
        detail =
            "a storage failure or recovery happened while the request ran (\(reason ?? "recovered since")): "
            + "it was not acknowledged; retry"
    }

    var problem: ProblemDetails { .unavailable(detail) }
    var headers: HTTPHeaders { ["retry-after": "1"] }
}
