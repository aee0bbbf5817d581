import CoreMetrics
import HTTPServer
import Logging

/// A one-shot latch: `wait()` returns once `open()` has been called (at once if it already was).
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}

/// A logger that stays quiet in test output.
let quietLogger: Logger = {
    var logger = Logger(label: "HTTPServerTests")
    logger.logLevel = .critical
    return logger
}()

/// Starts a server on a free loopback port, runs `body`, then shuts it down (also when `body` throws).
func withServer(
    _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(), responder: any HTTPResponder,
    metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance,
    _ body: (HTTPServer) async throws -> Void
) async throws {
    let server = HTTPServer(
        configuration: configuration, responder: responder, logger: quietLogger, metricsFactory: metricsFactory)
    try server.start()
    do {
        try await body(server)
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
}

/// A JSON body.
func jsonBody(_ text: String) -> [UInt8] { Array(text.utf8) }

struct Echo: Codable, Sendable, Equatable {
    var method: String
    var path: String
    var parameters: [String: String]
    var query: [String: String]
    var body: String
}

/// Answers with what it was asked.
@Sendable func echo(_ request: HTTPRequest) async throws -> HTTPResponse {
    .json(
        Echo(
            method: request.method.rawValue, path: request.path, parameters: request.pathParameters,
            query: request.query, body: String(decoding: request.body, as: UTF8.self)))
}
