public import Logging
internal import Synchronization

/// Collects ended spans and sends them in batches as OTLP/HTTP JSON (`ExportTraceServiceRequest`).
///
/// Spans wait in memory for at most ``Settings/interval`` (or until ``Settings/batchSize`` have ended),
/// then one POST carries them; past ``Settings/queueLimit`` waiting spans new ones are dropped and counted,
/// so a collector that is down costs memory up to that limit and nothing else. Sending goes through the
/// `send` closure the caller gives (libcurl in `backingd`), which keeps this module free of an HTTP client.
///
/// Concurrency: ``enqueue(_:)`` takes a `Mutex` briefly and never waits; batches are sent from detached
/// tasks, which inherit no request's trace context (the export itself is not traced).
public final class OTLPSpanExporter: Sendable {
    /// Sends one OTLP JSON body; returns the HTTP status, or throws on a transport failure.
    public typealias Send = @Sendable (_ body: [UInt8]) async throws -> Int

    public struct Settings: Sendable {
        /// The longest a span waits before it is sent.
        public var interval: Duration = .seconds(1)
        /// The most spans in one request; this many waiting spans are sent at once.
        public var batchSize = 512
        /// The most spans waiting; beyond, new spans are dropped.
        public var queueLimit = 8192
        /// `resource.attributes` of every batch (`service.name`, …).
        public var resource: [(String, String)] = [("service.name", "backingd")]

        public init() {}
    }

    private struct State {
        var waiting: [FinishedSpan] = []
        var dropped = 0
        var exported = 0
        var failedBatches = 0
        var stopped = false
    }

    let settings: Settings
    private let send: Send
    private let logger: Logger
    private let state = Mutex(State())
    private let timer: PeriodicTimer

    public init(settings: Settings = Settings(), logger: Logger, send: @escaping Send) {
        self.settings = settings
        self.logger = logger
        self.send = send
        timer = PeriodicTimer(interval: settings.interval)
    }

    /// Starts the timer that sends what has waited for ``Settings/interval``.
    public func start() { timer.start { [weak self] in await self?.exportPending() } }

    /// Sends what is waiting and stops the timer; spans ended later are dropped.
    public func shutdown() async {
        state.withLock { $0.stopped = true }
        await timer.stop()
        await exportPending()
    }

    /// Counts so far: spans sent (answered 2xx), spans dropped (queue full, or their batch failed).
    public var counts: (exported: Int, dropped: Int) { state.withLock { ($0.exported, $0.dropped) } }

    func enqueue(_ span: FinishedSpan) {
        let full = state.withLock { state -> Bool in
            guard !state.stopped, state.waiting.count < settings.queueLimit else {
                state.dropped += 1
                return false
            }
            state.waiting.append(span)
            return state.waiting.count == settings.batchSize
        }
        if full { Task.detached { await self.exportPending() } }
    }

    /// Sends every waiting span, a batch per request; a batch that fails is dropped (and logged once a
    /// failure streak starts): spans are diagnostics, not state, and are not retried.
    public func exportPending() async {
        while true {
            let batch = state.withLock { state -> [FinishedSpan] in
                let count = min(state.waiting.count, settings.batchSize)
                defer { state.waiting.removeFirst(count) }
                return Array(state.waiting.prefix(count))
            }
            guard !batch.isEmpty else { return }
            let body = OTLPJSON.exportTraceServiceRequest(batch, resource: settings.resource)
            let failure = await Self.failure(sending: body, with: send)
            let firstFailure = state.withLock { state -> Bool in
                if failure == nil {
                    state.exported += batch.count
                    state.failedBatches = 0
                    return false
                }
                state.dropped += batch.count
                state.failedBatches += 1
                return state.failedBatches == 1
            }
            if let failure, firstFailure {
                logger.warning(
                    "cannot export spans; dropping them until the OTLP endpoint answers",
                    metadata: ["error": "\(failure)", "spans": "\(batch.count)"])
            }
        }
    }
}

extension OTLPSpanExporter {
    /// Sends `body` with `send`; what went wrong (a transport error, or a status other than 2xx), or `nil`.
    static func failure(sending body: [UInt8], with send: Send) async -> String? {
        do {
            let status = try await send(body)
            return (200..<300).contains(status) ? nil : "HTTP \(status)"
        } catch {
            return "\(error)"
        }
    }
}
