import HTTPServer
import Synchronization

/// Whether the node serves the engine's routes yet: not while the journal is being replayed at start.
final class Readiness: Sendable {
    private let ready = Atomic<Bool>(false)

    var isReady: Bool { ready.load(ordering: .acquiring) }

    func markReady() { ready.store(true, ordering: .releasing) }
}

/// The answer to an engine route while the node restores its leaves: 503 with `Retry-After`.
struct RestoringProblem: HTTPError {
    var problem: ProblemDetails {
        .unavailable("the node is restoring its leaves from the journal; retry shortly")
    }
    var headers: HTTPHeaders { ["retry-after": "1"] }
}
