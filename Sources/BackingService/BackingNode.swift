public import Backing
import CoreMetrics
import Crypto
import Foundation
public import HTTPServer
public import Logging
import Primitives
import Prometheus
import Storage
import Synchronization
import Validation
import Webhooks

/// A running backingd node: the engine, its adapters and the HTTP API, assembled from a
/// ``ServiceConfiguration``.
///
/// Lifecycle: ``start()`` opens the databases, resumes undelivered web-hooks and starts listening;
/// ``shutdown()`` stops accepting, finishes in-flight requests, stops the jobs and flushes the outbox.
///
/// Storage failures: when a database fails (disk full, I/O error, locked, read-only), the node stops being
/// ready (the engine's routes answer 503 with `Retry-After`, `/readyz` says why) and a recovery task opens
/// the failed databases again every half second; once each takes a durable write, the engine is rebuilt
/// from the journal and the signing history (undoing whatever was applied in memory and never
/// committed) and the node is ready again.
public final class BackingNode: Sendable {
    public let configuration: ServiceConfiguration
    public let subsystem: BackingSubsystem
    public let server: HTTPServer
    /// Every registered route as (method, path pattern), e.g. ("GET", "/v1/leaves/{hash}").
    public let routes: [(method: String, pattern: String)]
    let outbox: WebhookOutbox
    let eventStreams: EventStreams
    let curl: CurlClient
    let logger: Logger
    let codeStore: SQLiteValidationCodeStore
    let database: StorageDatabase
    let readiness = Readiness()
    let metricsFactory: any MetricsFactory
    /// The node's metrics in the Prometheus text exposition format, as `GET /metrics` serves them (the OTLP
    /// metrics exporter reads them from here).
    public let metricsExposition: @Sendable () -> [UInt8]
    /// The task that waits for failed databases to work again, while one runs; `stopped` after shutdown.
    private let recovery = Mutex<(task: Task<Void, Never>?, stopped: Bool)>((nil, false))

    /// Assembles the node.
    /// - Parameter extraRoutes: adds routes beyond the contract's (the devnet's `/v1/devnet`); the
    ///   contract's routes and the dashboard fallback are in place when it runs.
    /// - Throws: ``ConfigurationError`` for a bad setting; storage errors when the data folder is unusable.
    public init(
        configuration: ServiceConfiguration, logger: Logger, extraRoutes: (inout Router) -> Void = { _ in }
    ) throws {
        self.configuration = configuration
        self.logger = logger
        try DataDirectory.prepare(configuration.dataDirectory)
        let dataDirectory = URL(fileURLWithPath: configuration.dataDirectory)

        let registry = PrometheusCollectorRegistry()
        let metrics = PrometheusMetricsFactory(registry: registry)

        let keypair = try Self.validatorKey(configuration)
        let database = try StorageDatabase(path: dataDirectory.appendingPathComponent(StorageDatabase.fileName).path)
        let availability = SQLiteAvailabilityStore(database: database)
        let codeStore = SQLiteValidationCodeStore(database: database)
        curl = CurlClient()
        outbox = try WebhookOutbox(
            path: dataDirectory.appendingPathComponent(WebhookOutbox.fileName).path,
            configuration: try Self.webhookConfiguration(configuration), client: curl, logger: logger, metrics: metrics)
        eventStreams = EventStreams(
            outbox: outbox,
            settings: EventStreams.Settings(
                heartbeat: configuration.eventHeartbeat, limit: Self.eventStreamLimit(configuration)),
            metricsFactory: metrics, logger: logger)
        let validator: any CandidateValidator =
            if let url = configuration.validationURL {
                HTTPCandidateValidator(url: url, client: curl)
            } else {
                EmbeddedCandidateValidator(codes: codeStore, logger: logger)
            }
        let fetcher = HTTPPoVFetcher(peers: try Self.peers(configuration), client: curl)
        subsystem = BackingSubsystem(
            keypair: keypair,
            ports: BackingPorts(
                validator: validator, povFetcher: fetcher, availabilityStore: availability, sink: outbox),
            configuration: BackingConfiguration(
                backingTimeout: configuration.backingTimeout,
                validationConcurrency: configuration.validationConcurrency,
                signingHistorySessions: UInt32(configuration.signingHistorySessions)),
            metricsFactory: metrics, logger: logger)

        metricsExposition = { registry.emitToBuffer() }
        let context = ServiceContext(
            subsystem: subsystem, outbox: outbox, availability: availability, validationCode: codeStore,
            readiness: readiness, eventStreams: eventStreams, metricsText: metricsExposition,
            openAPI: OpenAPIDocument.bytes)
        var router = Self.router(context: context, configuration: configuration)
        // The contract's routes only: extra ones (devnet's) are not part of the documented API.
        routes = router.routes.map { ($0.method.rawValue, $0.pattern) }
        if configuration.devnetDashboard { DevnetDocumentRoutes.register(on: &router) }
        extraRoutes(&router)
        let (host, port) = try configuration.listenAddress()
        server = HTTPServer(
            configuration: HTTPServerConfiguration(
                host: host, port: port, threadPoolSize: configuration.threadPoolSize,
                connectionLimit: configuration.connectionLimit, maxBodySize: configuration.maxBodySize,
                maxInflightBytes: configuration.maxInflightBytes, idleTimeout: configuration.idleTimeout),
            responder: router, logger: logger, metricsFactory: metrics)
        self.codeStore = codeStore
        self.database = database
        metricsFactory = metrics
        outbox.onStorageFailure { [weak self] in self?.storageFailed($0) }
        database.onStorageFailure { [weak self] in self?.storageFailed($0) }
    }

    /// Every route of the API, in one router (the OpenAPI test compares this list with the spec).
    static func router(context: ServiceContext, configuration: ServiceConfiguration) -> Router {
        var router = Router(authToken: configuration.authToken)
        LeavesRoutes.register(on: &router, context: context)
        CandidateRoutes.register(on: &router, context: context)
        StatementRoutes.register(on: &router, context: context)
        ToolsRoutes.register(on: &router, context: context)
        ValidationCodeRoutes.register(on: &router, context: context)
        OperationalRoutes.register(on: &router, context: context)
        EventRoutes.register(on: &router, context: context)
        router.fallback(StaticFiles(path: configuration.publicDirectory))
        return router
    }

    /// Registers the dev parachain's code when asked to (before any request can need it), loads the
    /// signing history, starts the outbox and the HTTP server, then restores the leaves that were active
    /// at the last stop from the journal; `/readyz` answers 503 (and the engine's routes 503 with
    /// `Retry-After`) until that is done.
    /// - Throws: ``JournalError`` when the signing history belongs to another validator key or the
    ///   journal cannot be read; storage and listener errors.
    public func start() async throws {
        if configuration.registerDevParachain {
            let stored = try await codeStore.store(AdderParachain.validationCode)
            logger.info("dev: adder parachain registered for para 100", metadata: ["codeHash": "\(stored.hash)"])
        }
        if let key = subsystem.keypair?.publicKey {
            try await outbox.claimSigningHistory(for: key)
        }
        let history = try await outbox.signingHistory()
        subsystem.signingGuard.remember(history)
        outbox.start()
        try server.start()
        logger.info("listening", metadata: ["url": "http://\(configuration.listenHost):\(server.port)"])
        try await restoreLeaves()
        readiness.markReady()
    }

    /// Rebuilds every leaf the journal holds as active (no web-hook is sent again for its history).
    private func restoreLeaves() async throws {
        let started = ContinuousClock.now
        let leaves = try await outbox.journaledLeaves()
        guard !leaves.isEmpty else { return }
        logger.info("restoring leaves from the journal", metadata: ["leaves": "\(leaves.count)"])
        try await subsystem.restore(all: leaves)
        let events = leaves.reduce(0) { $0 + $1.events.count }
        logger.info(
            "leaves restored",
            metadata: [
                "leaves": "\(leaves.count)", "events": "\(events)", "elapsed": "\(ContinuousClock.now - started)",
            ])
    }

    // MARK: Storage failures

    /// A database failed: the node is not ready until it works again and the engine is rebuilt.
    private func storageFailed(_ failure: StorageFailure) {
        logger.error(
            "storage failure; the engine's routes answer 503 until the database works again",
            metadata: ["database": "\(failure.database)", "reason": "\(failure.reason)"])
        readiness.storageFailed(failure)
        Counter(
            label: "backingd_storage_failures_total", dimensions: [("database", failure.database)],
            factory: metricsFactory
        )
        .increment()
        recovery.withLock { recovery in
            guard recovery.task == nil, !recovery.stopped else { return }
            recovery.task = Task { await self.recover() }
        }
    }

    /// Every half second: opens each failed database again and proves it takes a durable write; once all
    /// do, rebuilds the engine from them and marks the node ready (unless another failure came meanwhile,
    /// then it goes on).
    private func recover() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            guard !Task.isCancelled else { break }
            let generation = readiness.generation
            do {
                if outbox.storageFailure != nil { try await outbox.reopen() }
                if database.storageFailure != nil { try await database.reopen() }
                try await rebuildEngine()
            } catch {
                // A failure to read the journal back is the outbox database's.
                readiness.storageFailed(StorageFailure(error, database: WebhookOutbox.fileName))
                continue
            }
            if readiness.markRecovered(since: generation) {
                logger.info("storage works again; the engine was rebuilt from the journal")
                break
            }
        }
        recovery.withLock { $0.task = nil }
        // A failure reported while this task was ending found it still set: look once more.
        if !readiness.isReady, outbox.storageFailure != nil || database.storageFailure != nil {
            recovery.withLock { recovery in
                guard recovery.task == nil, !recovery.stopped else { return }
                recovery.task = Task { await self.recover() }
            }
        }
    }

    /// The engine as the databases hold it: every job stopped, the signing guard reset to the durable
    /// history, and the journal's leaves restored, before commits resume for new requests.
    private func rebuildEngine() async throws {
        readiness.rebuildBegins()
        await subsystem.stopAll()
        subsystem.signingGuard.reset(to: try await outbox.signingHistory())
        database.resume()
        outbox.resume()
        try await restoreLeaves()
    }

    /// Graceful stop: no new connections, in-flight requests finish, jobs end, the outbox is flushed.
    public func shutdown() async {
        let task = recovery.withLock { recovery in
            recovery.stopped = true
            return recovery.task
        }
        task?.cancel()
        await task?.value
        await server.shutdown()
        await subsystem.stopAll()
        await outbox.shutdown()
        curl.shutdown()
    }

    /// Event streams may hold half the connection limit, so that the other half always serves the API.
    static func eventStreamLimit(_ configuration: ServiceConfiguration) -> Int {
        max(1, configuration.connectionLimit / 2)
    }

    static func validatorKey(_ configuration: ServiceConfiguration) throws -> Sr25519Keypair? {
        if let seed = configuration.validatorSeed {
            do {
                return try Sr25519Keypair(suri: seed)
            } catch {
                throw ConfigurationError.invalid(key: "validatorSeed", reason: "\(error)")
            }
        }
        if let keystore = configuration.keystore { return try Keystore.paraKey(in: keystore) }
        return nil
    }

    static func webhookConfiguration(_ configuration: ServiceConfiguration) throws -> WebhookConfiguration {
        do {
            return WebhookConfiguration(
                subscriptions: try WebhookConfiguration.subscriptions(parsing: configuration.webhooks),
                secret: configuration.webhookSecret, giveUpAfter: configuration.webhookGiveUp,
                deliveredRetention: configuration.webhookRetention, eventRetention: configuration.eventRetention)
        } catch {
            throw ConfigurationError.invalid(key: "webhook", reason: error.reason)
        }
    }

    /// `PUBKEY=URL` (hex or SS58 key) pairs.
    static func peers(_ configuration: ServiceConfiguration) throws(ConfigurationError) -> [ValidatorId: String] {
        var peers: [ValidatorId: String] = [:]
        for entry in configuration.peers {
            guard let equals = entry.firstIndex(of: "=") else {
                throw .invalid(key: "peer", reason: "expected PUBKEY=URL, got \(entry)")
            }
            let keyText = String(entry[..<equals])
            let url = String(entry[entry.index(after: equals)...])
            let key: ValidatorId
            if let hex = ValidatorId(hex: keyText) {
                key = hex
            } else if let address = try? SS58.decode(keyText), let parsed = try? ValidatorId(address.accountId) {
                key = parsed
            } else {
                throw .invalid(key: "peer", reason: "\(keyText) is not a public key (hex or SS58)")
            }
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw .invalid(key: "peer", reason: "\(url) is not an http(s) URL")
            }
            peers[key] = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        return peers
    }
}

extension ServiceConfiguration {
    var listenHost: String { (try? listenAddress().host) ?? "127.0.0.1" }
}
