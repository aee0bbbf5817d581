import Foundation
import HTTPServer
import Logging
import Synchronization

/// A real HTTP server on loopback (libmicrohttpd, through our `HTTPServer`) that plays whatever the node
/// talks to: a web-hook receiver, an external validator, a PoV peer. It records every request and
/// answers through handlers the test sets per path.
final class TestPeer: Sendable {
    struct Recorded: Sendable {
        let method: String
        let path: String
        let headers: HTTPHeaders
        let body: [UInt8]

        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
        var event: String? { headers["x-backing-event"] }
    }

    typealias Handler = @Sendable (Recorded) async -> HTTPResponse

    private let server: HTTPServer
    private let state: State
    /// Scripted validation answers (used by ``SeedHarness``).
    let validationAnswers = ValidatorAnswers()

    final class State: Sendable {
        let recorded = Mutex<[Recorded]>([])
        let handlers = Mutex<[String: Handler]>([:])
        let waiters = Mutex<[(count: Int, path: String?, continuation: CheckedContinuation<Void, Never>)]>([])

        func record(_ request: Recorded) {
            let ready = recorded.withLock { all -> [CheckedContinuation<Void, Never>] in
                all.append(request)
                let snapshot = all
                return waiters.withLock { waiters in
                    var ready: [CheckedContinuation<Void, Never>] = []
                    waiters.removeAll { waiter in
                        let count = snapshot.filter { waiter.path == nil || $0.path == waiter.path }.count
                        if count >= waiter.count {
                            ready.append(waiter.continuation)
                            return true
                        }
                        return false
                    }
                    return ready
                }
            }
            for continuation in ready { continuation.resume() }
        }
    }

    struct Responder: HTTPResponder {
        let state: State
        func respond(to request: HTTPRequest) async -> HTTPResponse {
            let recorded = Recorded(
                method: request.method.rawValue, path: request.path, headers: request.headers, body: request.body)
            let handler = state.handlers.withLock { $0[request.path] ?? $0["*"] }
            state.record(recorded)
            return await handler?(recorded) ?? HTTPResponse(status: 200)
        }
    }

    init(port: UInt16 = 0) throws {
        state = State()
        var logger = Logger(label: "test-peer")
        logger.logLevel = .warning
        server = HTTPServer(
            configuration: HTTPServerConfiguration(
                host: "127.0.0.1", port: port, shutdownGracePeriod: .milliseconds(200)),
            responder: Responder(state: state),
            logger: logger)
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.port)" }

    /// Answers requests to `path` (`*` for any other path) with `handler`.
    func on(_ path: String, _ handler: @escaping Handler) { state.handlers.withLock { $0[path] = handler } }

    var requests: [Recorded] { state.recorded.withLock { $0 } }

    func requests(to path: String) -> [Recorded] { requests.filter { $0.path == path } }

    /// Waits until `count` requests (to `path`, or any path) have arrived, or `timeout` passes.
    @discardableResult
    func waitFor(_ count: Int, to path: String? = nil, timeout: Duration = .seconds(20)) async -> [Recorded] {
        let matching = { self.requests.filter { path == nil || $0.path == path } }
        if matching().count >= count { return matching() }
        let timer = Task { [state] in
            // A cancelled timer must not expire anyone: the wait it guarded is over.
            do { try await Task.sleep(for: timeout) } catch { return }
            let expired = state.waiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
                defer { waiters.removeAll() }
                return waiters.map(\.continuation)
            }
            for continuation in expired { continuation.resume() }
        }
        await withCheckedContinuation { continuation in
            let ready = state.recorded.withLock { all -> Bool in
                if all.filter({ path == nil || $0.path == path }).count >= count { return true }
                state.waiters.withLock { $0.append((count, path, continuation)) }
                return false
            }
            if ready { continuation.resume() }
        }
        timer.cancel()
        return matching()
    }

    func stop() async { await server.shutdown() }
}
