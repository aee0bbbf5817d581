import CMicroHTTPD
import Synchronization

/// One request's progress through the access-handler callback, kept in MHD's `*con_cls`.
///
/// Retained when the headers arrive and released by the request-completed callback. MHD calls the access
/// handler for one connection from one thread at a time, but the handler task and ``HTTPServer/shutdown()``
/// touch the state from other threads, hence the lock.
final class RequestState: Sendable {
    enum Phase {
        /// Reading the body.
        case receiving
        /// The body passed the limit; a 413 went out and the rest of the body is counted and thrown away.
        case draining(discarded: Int)
        /// The responder runs; the connection is suspended once the access handler has returned without an
        /// answer (until then the answer is left for the access handler to queue, with no suspend or resume).
        case handling(suspended: Bool)
        /// The responder answered (or shutdown did); the connection was resumed to queue this.
        case answered(HTTPResponse)
        /// A response was queued.
        case finished
    }

    struct Progress {
        var phase: Phase = .receiving
        var body: [UInt8] = []
        /// Body bytes charged against the server's budget; given back when the request completes.
        var charged = 0
    }

    let method: HTTPMethod
    let path: String
    let started: ContinuousClock.Instant
    let progress = Mutex(Progress())
    /// Held while an answer resumes the connection (see ``answer(_:resuming:)``).
    private let resuming = Mutex(())

    init(method: HTTPMethod, path: String) {
        self.method = method
        self.path = path
        self.started = .now
    }

    /// If the responder is still running, stores `response`, resumes the connection if it was suspended, and
    /// says so; the first caller wins (the handler task or a forcing shutdown), later ones change nothing.
    ///
    /// The resume happens under ``resuming``, so that once ``HTTPServer/shutdown()`` has passed every state
    /// through here no resume can still be on its way to a connection that `MHD_stop_daemon` frees. It is not
    /// under ``progress``: the resumed connection's thread takes that lock at once (to queue the answer), and
    /// found it held for the length of `MHD_resume_connection`'s signal, spinning (1% of the batch import's
    /// samples). `MHD_resume_connection` only signals MHD's thread and never calls back.
    func answer(_ response: HTTPResponse, resuming connection: ConnectionHandle) -> Bool {
        resuming.withLock { _ in
            let suspended = progress.withLock { progress -> Bool? in
                guard case .handling(let suspended) = progress.phase else { return nil }
                progress.phase = .answered(response)
                return suspended
            }
            guard let suspended else { return false }
            if suspended { connection.resume() }
            return true
        }
    }

    /// Called by the access handler once the responder has been started: takes the answer if it is already
    /// there, or else suspends the connection until ``answer(_:resuming:)`` resumes it.
    ///
    /// The suspend happens under the lock, so that an answer arriving meanwhile waits for it and then resumes;
    /// `MHD_suspend_connection` only moves the connection between MHD's lists and never calls back.
    func takeAnswerOrSuspend(_ connection: OpaquePointer) -> HTTPResponse? {
        progress.withLock { progress in
            if case .answered(let response) = progress.phase {
                progress.phase = .finished
                return response
            }
            progress.phase = .handling(suspended: true)
            MHD_suspend_connection(connection)
            return nil
        }
    }
}
