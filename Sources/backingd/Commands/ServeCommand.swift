import ArgumentParser
import BackingService
import Dispatch
import Foundation
import Logging
import Synchronization

/// `backingd serve`: runs the node until SIGTERM or SIGINT, then shuts down gracefully.
///
/// Settings come from (later wins): `--dev` defaults, `--config FILE` (JSON), `BACKINGD_*` environment
/// variables, then these flags.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the backing service.")

    @Flag(
        help: "Dev defaults: validator //Alice, listen on 127.0.0.1:8080, data in ./.backingd, adder PVF for para 100.")
    var dev = false
    @Option(help: "Address to listen on (host:port; port 0 picks one).") var listen: String?
    @Option(
        help: "The validator's secret URI (//Alice, a phrase, 0x seed). Without it (or --keystore) the node observes.")
    var validatorSeed: String?
    @Option(help: "A Substrate keystore folder holding the validator's para key.") var keystore: String?
    @Option(help: "Web-hook subscription EVENT=URL (repeatable).") var webhook: [String] = []
    @Option(help: "Secret for the X-Backing-Signature HMAC-SHA256.") var webhookSecret: String?
    @Option(help: "How long a delivery is retried before it is dead-lettered (e.g. 24h).") var webhookGiveUp: String?
    @Option(help: "How long delivered deliveries are kept and listed (default 168h).") var webhookRetention: String?
    @Option(help: "How long events stay replayable by GET /v1/events after a client's last id (default 1h).")
    var eventRetention: String?
    /// The heartbeat of event streams, 15 s unless set; hidden: it exists so that tests need not wait 15 s.
    @Option(help: .hidden) var eventHeartbeat: String?
    @Option(help: "Peer for PoV fetching PUBKEY=URL (repeatable).") var peer: [String] = []
    @Option(help: "External validator URL (default: embedded validation).") var validationUrl: String?
    @Option(help: "Folder for durable state.") var dataDir: String?
    @Option(help: "Bearer token required on mutating endpoints.") var authToken: String?
    @Option(help: "Largest request body in bytes (default 16 MiB).") var maxBody: Int?
    @Option(help: "Request-body bytes buffered at once over all connections; beyond, 503 (default 256 MiB).")
    var maxInflightBytes: Int?
    @Option(help: "Idle connection timeout (default 60s).") var idleTimeout: String?
    @Option(help: "Validations running at once (default 4).") var validationConcurrency: Int?
    @Option(help: "How long one validation may take (default 2s, Polkadot's backing timeout).")
    var backingTimeout: String?
    @Option(help: "Sessions the signing history keeps a record after its session (default 6).")
    var signingHistorySessions: Int?
    @Option(help: "Folder served at / (default Public).") var publicDir: String?
    @Option(help: "A JSON config file with the same settings (camelCase keys).") var config: String?
    @Flag(
        help:
            "This node is a process of `backingd devnet --processes`: keep the network description the devnet PUTs to /v1/devnet and answer it (the dashboard draws the network)."
    ) var devnetDashboard = false
    @Option(
        help:
            "Export spans and metrics over OTLP/HTTP (JSON) to this collector, e.g. http://127.0.0.1:4318 (…/v1/traces and …/v1/metrics are appended). Without it no span is recorded; a request's traceparent is still passed on."
    ) var otlpEndpoint: String?
    @Option(help: "With --otlp-endpoint: how often the metrics /metrics serves are exported.")
    var otlpMetricsInterval = "60s"
    @Option(help: "Log lines as text or json (one object a line, with trace_id and span_id inside a trace).")
    var logFormat: LogFormat = .text

    var flagSettings: ConfigurationLoader.Settings {
        var settings = ConfigurationLoader.Settings()
        func put(_ key: String, _ value: String?) { if let value { settings[key] = [value] } }
        put("listen", listen)
        put("validatorSeed", validatorSeed)
        put("keystore", keystore)
        if !webhook.isEmpty { settings["webhook"] = webhook }
        put("webhookSecret", webhookSecret)
        put("webhookGiveUp", webhookGiveUp)
        put("webhookRetention", webhookRetention)
        put("eventRetention", eventRetention)
        put("eventHeartbeat", eventHeartbeat)
        if !peer.isEmpty { settings["peer"] = peer }
        put("validationUrl", validationUrl)
        put("dataDir", dataDir)
        put("authToken", authToken)
        put("maxBody", maxBody.map(String.init))
        put("maxInflightBytes", maxInflightBytes.map(String.init))
        put("idleTimeout", idleTimeout)
        put("validationConcurrency", validationConcurrency.map(String.init))
        put("publicDir", publicDir)
        put("signingHistorySessions", signingHistorySessions.map(String.init))
        put("backingTimeout", backingTimeout)
        if devnetDashboard { settings["devnetDashboard"] = ["true"] }
        return settings
    }

    func run() async throws {
        Observability.bootstrapLogging(format: logFormat, defaultLevel: .info)
        let logger = Logger(label: "backingd")
        var file: Data?
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else {
                throw ValidationError("cannot read config file \(config)")
            }
            file = data
        }
        let configuration: ServiceConfiguration
        do {
            configuration = try ConfigurationLoader.load(
                development: dev, file: file, environment: ProcessInfo.processInfo.environment, flags: flagSettings)
        } catch {
            throw ValidationError("\(error)")
        }
        let metricsInterval = try Observability.metricsInterval(otlpMetricsInterval)
        let tracing = try Observability.bootstrapTracing(
            endpoint: otlpEndpoint, instance: configuration.listen, logger: logger)
        let node = try BackingNode(configuration: configuration, logger: logger)
        try await node.start()
        let metrics = try Observability.exportMetrics(
            through: tracing, interval: metricsInterval,
            nodes: [(configuration.listen, node.metricsExposition)], logger: logger)
        // Before the line below: whoever reads it may send SIGTERM at once.
        let termination = SignalWaiter.install()
        // The first line on standard output says where to reach the node (tests and scripts read it).
        let address = "http://\(try configuration.listenAddress().host):\(node.server.port)"
        FileHandle.standardOutput.write(Data("backingd listening on \(address)\n".utf8))
        await termination.wait()
        logger.info("shutting down")
        await node.shutdown()
        await metrics.shutdown()
        await tracing.shutdown()
        logger.info("stopped")
    }
}

/// SIGTERM or SIGINT, caught without blocking a Swift concurrency thread.
///
/// ``install()`` takes the signals over at once (from then on they no longer end the process); ``wait()``
/// returns after the first, even one that came before it was called. A node installs it before it
/// says where it listens, so that a SIGTERM sent as soon as that line is read still shuts it down
/// gracefully.
final class SignalWaiter: Sendable {
    private struct State {
        var arrived = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let keeper = SourceKeeper()

    private init() {}

    /// Catches SIGTERM and SIGINT from now on.
    static func install() -> SignalWaiter {
        let waiter = SignalWaiter()
        let queue = DispatchQueue(label: "backingd.signals")
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            // The handler holds the waiter, which holds the sources: they live as long as the process,
            // as signal handlers should.
            source.setEventHandler { waiter.arrive() }
            waiter.keeper.sources.append(source)
            source.resume()
        }
        return waiter
    }

    private func arrive() {
        let waiters = state.withLock { state in
            state.arrived = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once SIGTERM or SIGINT has arrived.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let arrived = state.withLock { state in
                if !state.arrived { state.waiters.append(continuation) }
                return state.arrived
            }
            if arrived { continuation.resume() }
        }
    }
}

/// Holds the signal sources alive.
final class SourceKeeper: @unchecked Sendable {
    // Safe because: `sources` is only appended to while the sources are being installed, on one thread,
    // before any handler can run; afterwards it is never touched.
    var sources: [any DispatchSourceSignal] = []
}
