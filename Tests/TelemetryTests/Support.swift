import Foundation
import HTTPServer
import Logging
import Synchronization
import Telemetry
import Testing
import Tracing

/// The process-wide instrument the tests share: the W3C propagator `backingd serve` installs without
/// `--otlp-endpoint`. Installing it changes nothing for requests without a `traceparent`, so the other
/// suites in this process are unaffected.
enum SharedInstrument {
    static let installed: Void = InstrumentationSystem.bootstrap(TraceContextPropagator())
}

/// A real HTTP server on loopback that records every request and answers 200 (or what `answer` says):
/// an OTLP/HTTP collector or any peer a test needs.
final class Recorder: Sendable {
    struct Request: Sendable {
        let path: String
        let headers: HTTPHeaders
        let body: [UInt8]
        /// The trace context the server's handler task carried (extracted from the request's headers).
        let handlerTrace: String?
    }

    final class Log: Sendable {
        let requests = Mutex<[Request]>([])
    }

    private let server: HTTPServer
    private let recorded: Log

    init() throws {
        let recorded = Log()
        self.recorded = recorded
        var logger = Logger(label: "recorder")
        logger.logLevel = .critical
        server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, shutdownGracePeriod: .milliseconds(200)),
            responder: Responder(recorded: recorded), logger: logger)
        try server.start()
    }

    struct Responder: HTTPResponder {
        let recorded: Log

        func respond(to request: HTTPRequest) async -> HTTPResponse {
            let trace = ServiceContext.current?.traceContext?.traceParentHeaderValue
            recorded.requests.withLock {
                $0.append(
                    Request(path: request.path, headers: request.headers, body: request.body, handlerTrace: trace))
            }
            return HTTPResponse(status: 200)
        }
    }

    /// How long a request to (or a wait on) the recorder may take: the full unit phase keeps both cores busy
    /// with CPU-bound tests for many seconds, so only a hang should hit this.
    static let patience: Duration = .seconds(120)

    var url: String { "http://127.0.0.1:\(server.port)" }
    var requests: [Request] { recorded.requests.withLock { $0 } }

    /// Waits (polling; the bound is a safety net) until `count` requests have arrived.
    func waitFor(_ count: Int, timeout: Duration = Recorder.patience) async -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while requests.count < count, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return requests
    }

    func stop() async { await server.shutdown() }
}
