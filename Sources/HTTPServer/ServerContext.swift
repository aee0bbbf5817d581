import Logging
import Synchronization

/// Everything the C callbacks reach through their `cls` pointer: the responder, the limits, and the book of
/// requests in flight that graceful shutdown waits on.
///
/// Owned by ``HTTPServer``, which keeps it alive for as long as the daemon runs; handler tasks retain it too.
final class ServerContext: Sendable {
    let responder: any HTTPResponder
    /// The responder when it is a ``Router``, which can start on MHD's thread (found once, not per request).
    let router: Router?
    let maxBodySize: Int
    /// The budget of buffered request-body bytes over all connections.
    let maxInflightBytes: Int
    /// The request-body bytes charged against the budget now (see ``reserveBodyBytes(_:)``).
    let bufferedBodyBytes = Atomic<Int>(0)
    let logger: Logger
    let metrics: HTTPMetrics

    /// How much of an over-limit body is read and thrown away after the 413, so that the client sees the
    /// answer rather than a reset; past this the connection is simply closed.
    static let drainAllowance = 1 << 20

    private struct Book {
        /// Requests whose headers arrived and that MHD has not yet reported complete.
        var inFlight = 0
        /// Requests whose responder is running (their connection suspended, or about to be).
        var handling: [ObjectIdentifier: (state: RequestState, connection: ConnectionHandle)] = [:]
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var shuttingDown = false
        /// Shutdown has answered the running handlers; no connection may be suspended any more.
        var noMoreSuspending = false
        /// Streamed bodies being sent, which shutdown ends.
        var streams: [ObjectIdentifier: HTTPBodyStream] = [:]
    }

    private let book = Mutex(Book())

    init(
        responder: any HTTPResponder, maxBodySize: Int, maxInflightBytes: Int, logger: Logger,
        metrics: HTTPMetrics
    ) {
        self.responder = responder
        self.router = responder as? Router
        self.maxBodySize = maxBodySize
        self.maxInflightBytes = maxInflightBytes
        self.logger = logger
        self.metrics = metrics
    }

    var isShuttingDown: Bool { book.withLock { $0.shuttingDown } }

    /// Charges `count` body bytes against the budget. - Returns: `false` (charging nothing) when they do
    /// not fit.
    func reserveBodyBytes(_ count: Int) -> Bool {
        var current = bufferedBodyBytes.load(ordering: .relaxed)
        while true {
            guard count <= maxInflightBytes - current else { return false }
            let (exchanged, original) = bufferedBodyBytes.compareExchange(
                expected: current, desired: current + count, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    /// Gives `count` charged body bytes back to the budget.
    func releaseBodyBytes(_ count: Int) {
        if count > 0 { bufferedBodyBytes.subtract(count, ordering: .relaxed) }
    }

    func requestStarted() {
        book.withLock { $0.inFlight += 1 }
        metrics.requestStarted()
    }

    func requestEnded() {
        let waiters = book.withLock { book -> [CheckedContinuation<Void, Never>] in
            book.inFlight -= 1
            guard book.inFlight == 0 else { return [] }
            defer { book.idleWaiters = [] }
            return book.idleWaiters
        }
        metrics.requestEnded()
        for waiter in waiters { waiter.resume() }
    }

    /// Records that the responder is about to run for `state` (whose connection may then be suspended); returns
    /// false (and records nothing) once shutdown has stopped suspending, and the caller then answers at once.
    func beganHandling(_ state: RequestState, on connection: ConnectionHandle) -> Bool {
        book.withLock { book in
            guard !book.noMoreSuspending else { return false }
            book.handling[ObjectIdentifier(state)] = (state, connection)
            return true
        }
    }

    func doneHandling(_ state: RequestState) {
        _ = book.withLock { $0.handling.removeValue(forKey: ObjectIdentifier(state)) }
    }

    /// From now on new requests on open connections are answered 503 and their connections closed, and
    /// open streamed bodies end once what they buffered is sent.
    func beginShutdown() {
        let streams = book.withLock { book in
            book.shuttingDown = true
            return Array(book.streams.values)
        }
        for stream in streams { stream.finish() }
    }

    /// Records a streamed body about to be sent, until it closes; one that arrives once shutdown has begun
    /// is finished at once (so that it ends after its buffered bytes, like the others).
    func streamStarted(_ stream: HTTPBodyStream) {
        let key = ObjectIdentifier(stream)
        let shuttingDown = book.withLock { book in
            book.streams[key] = stream
            return book.shuttingDown
        }
        stream.onClose { [weak self] in _ = self?.book.withLock { $0.streams.removeValue(forKey: key) } }
        if shuttingDown { stream.finish() }
    }

    /// Closes the connections of the streamed bodies still being sent (their clients did not take the
    /// rest within the grace period), so that no connection stays suspended for `MHD_stop_daemon`.
    /// Returns how many there were.
    func abortStreams() -> Int {
        let streams = book.withLock { Array($0.streams.values) }
        for stream in streams { stream.abort() }
        return streams.count
    }

    /// Returns once no request is in flight, or after `timeout`, whichever is first; says whether idle.
    func waitUntilIdle(timeout: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let idle = self.book.withLock { book in
                        if book.inFlight == 0 { return true }
                        book.idleWaiters.append(continuation)
                        return false
                    }
                    if idle { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
            // The time limit won: release the waiter so that the group can finish.
            let waiters = book.withLock { book in
                defer { book.idleWaiters = [] }
                return book.idleWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
        return book.withLock { $0.inFlight == 0 }
    }

    /// Answers every request whose responder is still running with `response` and resumes its connection.
    /// Afterwards no handler task can resume a connection any more. Returns how many were answered.
    func answerAllHandling(with response: HTTPResponse) -> Int {
        let handling = book.withLock { book in
            defer { book.handling = [:] }
            book.noMoreSuspending = true
            return Array(book.handling.values)
        }
        return handling.reduce(0) { count, entry in
            count + (entry.state.answer(response, resuming: entry.connection) ? 1 : 0)
        }
    }
}
