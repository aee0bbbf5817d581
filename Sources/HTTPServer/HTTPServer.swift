public import CoreMetrics
public import Logging
import Synchronization

/// An HTTP/1.1 server on libmicrohttpd that hands each complete request to an ``HTTPResponder``.
///
/// MHD runs a pool of epoll threads (``HTTPServerConfiguration/threadPoolSize``). Those threads never block:
/// when a request's body is complete its connection is suspended, the responder runs as a Swift task, and the
/// task resumes the connection with the answer. Keep-alive, the idle timeout, the connection limit and the
/// body limit (413 without buffering past it) are handled here, before any responder sees a request.
///
/// Call ``shutdown()`` to stop: a server released while running keeps serving until the process ends.
///
/// ```swift
/// var router = Router()
/// router.add(.get, "/healthz", accepts: nil) { _ in .json(["status": "ok"]) }
/// let server = HTTPServer(configuration: .init(port: 8080), responder: router, logger: logger)
/// try server.start()
/// // …
/// await server.shutdown()
/// ```
public final class HTTPServer: Sendable {
    private enum State {
        case idle
        case running(MHDDaemon)
        case stopped
    }

    private let configuration: HTTPServerConfiguration
    private let context: ServerContext
    private let state = Mutex(State.idle)
    private let boundPort = Atomic<UInt16>(0)

    /// Creates a server; nothing listens until ``start()``.
    /// - Parameters:
    ///   - metricsFactory: where `backingd_http_*` metrics go (the process-wide factory by default).
    public init(
        configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.configuration = configuration
        self.context = ServerContext(
            responder: responder, maxBodySize: configuration.maxBodySize,
            maxInflightBytes: configuration.maxInflightBytes, logger: logger,
            metrics: HTTPMetrics(factory: metricsFactory))
    }

    /// The request-body bytes charged against ``HTTPServerConfiguration/maxInflightBytes`` now.
    public var bufferedBodyBytes: Int { context.bufferedBodyBytes.load(ordering: .relaxed) }

    /// The bound port (the chosen one when the configuration asked for port 0); 0 before ``start()``.
    public var port: UInt16 { boundPort.load(ordering: .acquiring) }

    /// Binds and starts serving.
    /// - Throws: ``HTTPServerError/invalidHost(_:)``, ``HTTPServerError/cannotListen(host:port:underlying:)``
    ///   naming the address, or ``HTTPServerError/notStartable`` if already started.
    public func start() throws(HTTPServerError) {
        let host = configuration.host
        guard let address = SocketAddress(host: host, port: configuration.port) else {
            throw .invalidHost(host)
        }
        let needed = configuration.connectionLimit + 64
        if let limit = FileDescriptorLimit.ensure(needed), limit < needed {
            context.logger.warning(
                "open-file limit is below what the connection limit needs",
                metadata: ["limit": "\(limit)", "needed": "\(needed)"])
        }
        try state.withLock { state throws(HTTPServerError) in
            guard case .idle = state else { throw .notStartable }
            do throws(MHDError) {
                let daemon = try MHDDaemon(context: context, address: address, configuration: configuration)
                boundPort.store(daemon.port, ordering: .releasing)
                state = .running(daemon)
            } catch {
                throw .cannotListen(host: host, port: configuration.port, underlying: error)
            }
        }
        context.logger.info("listening", metadata: ["address": "\(host):\(port)"])
    }

    /// Stops gracefully: stops accepting connections, lets in-flight requests finish (up to
    /// ``HTTPServerConfiguration/shutdownGracePeriod``; after that they are answered 503), answers new requests
    /// on open connections 503 with `Connection: close`, finishes streamed bodies (see ``HTTPBodyStream``; those
    /// whose clients have not taken the rest by the end of the grace period are closed), then stops the
    /// daemon. Never leaves a connection suspended, so it cannot hang on one. Calling it again, or before ``start()``, does nothing.
    public func shutdown() async {
        let daemon = state.withLock { state -> MHDDaemon? in
            guard case .running(let daemon) = state else { return nil }
            state = .stopped
            return daemon
        }
        guard let daemon else { return }
        context.beginShutdown()
        daemon.quiesce()
        if !(await context.waitUntilIdle(timeout: configuration.shutdownGracePeriod)) {
            var response = HTTPResponse.problem(.unavailable("The server shut down before this request finished."))
            response.headers["Connection"] = "close"
            let forced = context.answerAllHandling(with: response)
            context.logger.warning("shutdown answered unfinished requests 503", metadata: ["count": "\(forced)"])
            _ = await context.waitUntilIdle(timeout: .seconds(1))
        } else {
            _ = context.answerAllHandling(with: .problem(.unavailable("The server is shutting down.")))
        }
        let aborted = context.abortStreams()
        if aborted > 0 {
            context.logger.info("shutdown closed streams whose clients did not read", metadata: ["count": "\(aborted)"])
        }
        daemon.stop()
        context.logger.info("stopped")
    }
}
