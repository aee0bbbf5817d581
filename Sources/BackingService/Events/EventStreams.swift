import CoreMetrics
import HTTPServer
import Logging
import Synchronization
import Webhooks

/// The open `GET /v1/events` streams (contract §8.27): each replays the event log after the client's last
/// id, then follows the outbox's live feed, as Server-Sent Events, with a heartbeat comment between.
///
/// Nothing here blocks a thread or polls SQLite per client: live events are pushed by the outbox's commit
/// callback into each stream's bounded buffer (``HTTPBodyStream``); the log is read only to replay, in
/// pages, waiting for a slow client to take each page. A client whose buffer is full when a live event or a
/// heartbeat comes is dropped (its connection closed; it may reconnect with its last id).
///
/// Each stream holds one connection of the server's connection limit (and no thread): at most
/// ``Settings/limit`` streams are open at once, so that streams can never take every connection from the
/// other requests; past it `GET /v1/events` answers 503 with `Retry-After`.
final class EventStreams: Sendable {
    struct Settings: Sendable {
        /// Time between two heartbeat comments (15 s; shorter in tests).
        var heartbeat: Duration = .seconds(15)
        /// The most bytes buffered for one client, live events waiting for a replay included.
        var bufferCapacity = 1 << 20
        /// The most streams open at once.
        var limit = 1024
        /// Events read from the log per query while replaying.
        var replayPage = 256
    }

    let settings: Settings
    private let outbox: WebhookOutbox
    private let logger: Logger
    private let openCount = Atomic<Int>(0)
    private let openGauge: Gauge
    private let dropped: Counter

    init(outbox: WebhookOutbox, settings: Settings, metricsFactory: any MetricsFactory, logger: Logger) {
        self.outbox = outbox
        self.settings = settings
        self.logger = logger
        openGauge = Gauge(label: "backingd_event_streams_open", factory: metricsFactory)
        dropped = Counter(label: "backingd_event_stream_clients_dropped_total", factory: metricsFactory)
    }

    /// How many streams are open.
    var count: Int { openCount.load(ordering: .relaxed) }

    /// Opens a stream of the events named in `names` (all when `nil`), after `lastEventID` (only those
    /// committed from now on when `nil`).
    /// - Throws: a 503 problem with `Retry-After` when ``Settings/limit`` streams are open.
    func open(names: Set<String>?, after lastEventID: Int64?) throws -> HTTPResponse {
        let opened = openCount.add(1, ordering: .relaxed).newValue
        guard opened <= settings.limit else {
            openCount.subtract(1, ordering: .relaxed)
            throw EventStreamsFull(limit: settings.limit)
        }
        openGauge.record(opened)
        let body = HTTPBodyStream(capacity: settings.bufferCapacity)
        let stream = EventStream(body: body, names: names, replaying: lastEventID != nil)
        let subscription = outbox.eventFeed.subscribe { [weak self] events in
            let verdict = stream.take(events)
            if verdict == .fellBehind { self?.drop(stream, reason: "live events") }
            return verdict == .taken
        }
        let feeder = Task { [outbox, settings] in
            if let lastEventID {
                do {
                    try await stream.replay(after: lastEventID, from: outbox, page: settings.replayPage)
                } catch {
                    self.logger.error("cannot replay the event log", metadata: ["error": "\(error)"])
                    body.abort()
                    return
                }
            }
            while !Task.isCancelled {
                do { try await Task.sleep(for: settings.heartbeat) } catch { return }
                switch body.send(EventStream.heartbeat) {
                case .queued: continue
                case .overflowed:
                    self.drop(stream, reason: "a heartbeat")
                    return
                case .closed: return
                }
            }
        }
        body.onClose { [weak self] in
            subscription.cancel()
            feeder.cancel()
            guard let self else { return }
            self.openGauge.record(self.openCount.subtract(1, ordering: .relaxed).newValue)
        }
        return .stream(
            body,
            headers: [
                "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache",
                // Reverse proxies (nginx) would otherwise hold the events back to fill their buffers.
                "X-Accel-Buffering": "no",
            ])
    }

    /// Counts and logs a client dropped for falling behind (its connection is being closed).
    private func drop(_ stream: EventStream, reason: String) {
        dropped.increment()
        logger.warning(
            "event stream client fell behind; disconnected",
            metadata: ["buffered": "\(stream.body.bufferedByteCount)", "while": "\(reason)"])
    }
}

/// 503 with `Retry-After`: every stream the node allows is open.
struct EventStreamsFull: HTTPError {
    let limit: Int
    var problem: ProblemDetails {
        .unavailable("This node serves at most \(limit) event streams at once; try again later.")
    }
    var headers: HTTPHeaders { ["Retry-After": "5"] }
}

/// One client's stream: its filter, and whether it still replays the log (live events wait in a backlog
/// meanwhile) or follows the live feed.
final class EventStream: Sendable {
    /// What the stream did with a batch of live events.
    enum Verdict: Equatable {
        case taken
        /// Its buffer (or backlog) is full: the client is being disconnected.
        case fellBehind
        /// The client is gone.
        case closed
    }

    private struct State {
        var replaying: Bool
        /// Live events (already filtered) that came during the replay.
        var backlog: [LoggedEvent] = []
        var backlogBytes = 0
        /// The last id sent or skipped: live events up to it were in the replay.
        var lastID: Int64 = 0
    }

    static let heartbeat = Array(": heartbeat\n\n".utf8)

    let body: HTTPBodyStream
    private let names: Set<String>?
    private let state: Mutex<State>

    init(body: HTTPBodyStream, names: Set<String>?, replaying: Bool) {
        self.body = body
        self.names = names
        state = Mutex(State(replaying: replaying))
    }

    /// The broadcaster's sink: sends the wanted events at once when live, or keeps them for after the
    /// replay. Runs under the outbox's writer, so quickly.
    func take(_ events: [LoggedEvent]) -> Verdict {
        state.withLock { state in
            if body.isClosed { return .closed }
            let wanted = names.map { names in events.filter { names.contains($0.event) } } ?? events
            if state.replaying {
                state.backlog += wanted
                state.backlogBytes += wanted.reduce(0) { $0 + $1.body.count }
                guard state.backlogBytes <= body.capacity else {
                    body.abort()
                    return .fellBehind
                }
                return .taken
            }
            let fresh = wanted.filter { $0.id > state.lastID }
            guard let last = fresh.last else { return .taken }
            state.lastID = last.id
            switch body.send(Self.message(fresh)) {
            case .queued: return .taken
            case .overflowed: return .fellBehind
            case .closed: return .closed
            }
        }
    }

    /// Sends the logged events after `id`, page by page (waiting for the client to take each), then the
    /// live events that came meanwhile and were not in it, and switches to live: every event once, in order.
    func replay(after id: Int64, from outbox: WebhookOutbox, page: Int) async throws {
        var last = id
        while true {
            let events = try await outbox.events(after: last, names: names, limit: page)
            guard let newest = events.last else { break }
            guard await send(events) else { return }
            last = newest.id
            if events.count < page { break }
        }
        while true {
            let backlog = state.withLock { state -> [LoggedEvent]? in
                guard !state.backlog.isEmpty else {
                    state.replaying = false
                    state.lastID = max(state.lastID, last)
                    return nil
                }
                defer {
                    state.backlog = []
                    state.backlogBytes = 0
                }
                return state.backlog
            }
            guard let backlog else { return }
            let fresh = backlog.filter { $0.id > last }
            if let newest = fresh.last {
                guard await send(fresh) else { return }
                last = newest.id
            }
        }
    }

    /// Sends `events` once the client has room for them; `false` once the stream is closed.
    private func send(_ events: [LoggedEvent]) async -> Bool {
        let bytes = Self.message(events)
        guard await body.waitForRoom(bytes.count) else { return false }
        return body.send(bytes) == .queued
    }

    /// `events` as Server-Sent Events: `id:`, `event:`, then the body as `data:`. The bodies are compact
    /// JSON, one line; a line break (CR, LF or CRLF) would start another `data:` line, which a client joins
    /// back with LF, so the message stays well formed whatever the body.
    static func message(_ events: [LoggedEvent]) -> [UInt8] {
        let newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        let dataField = Array("data: ".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(events.reduce(0) { $0 + $1.body.count + 64 })
        for event in events {
            bytes += Array("id: \(event.id)\nevent: \(event.event)\n".utf8)
            bytes += dataField
            var previous: UInt8 = 0
            for byte in event.body {
                defer { previous = byte }
                if byte == newline && previous == carriageReturn { continue }
                if byte == newline || byte == carriageReturn {
                    bytes.append(newline)
                    bytes += dataField
                } else {
                    bytes.append(byte)
                }
            }
            bytes += [newline, newline]
        }
        return bytes
    }
}
