import CoreMetrics
import HTTPServer
import Logging
import Synchronization
import Webhooks

/// The open `GET /v1/events` streams (contract §8.27): each replays the event log after the client's last
/// id, then follows the outbox's live feed, as Server-Sent Events, with a heartbeat comment between.
///
/// Nothing here blocks a thread or polls SQLite per client per event: live events are pushed by the
/// outbox's event feed, right after each commit, into each stream's bounded buffer (``HTTPBodyStream``, 1 MiB). The log is read
/// to replay after a client's last id, and whenever a live batch does not fit in a client's buffer (a
/// burst larger than the buffer, or a slow reader): the stream then catches up from the log, page by page,
/// waiting for the client to take each, and goes live again; memory per client stays bounded either way.
/// A client that takes nothing for ``Settings/stallLimit`` while bytes wait for room is disconnected
/// (counted in `backingd_event_stream_clients_dropped_total`); it may reconnect with its last id.
///
/// Each stream holds one connection of the server's connection limit (and no thread): at most
/// ``Settings/limit`` streams are open at once, so that streams can never take every connection from the
/// other requests; past it `GET /v1/events` answers 503 with `Retry-After`.
final class EventStreams: Sendable {
    struct Settings: Sendable {
        /// Time between two heartbeat comments (15 s; shorter in tests).
        var heartbeat: Duration = .seconds(15)
        /// The most bytes buffered for one client, and the most live events kept while it catches up.
        var bufferCapacity = 1 << 20
        /// How long a client may take nothing while bytes wait for room in its buffer.
        var stallLimit: Duration = .seconds(30)
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
    /// The live batches' messages, made once for every stream.
    let liveMessages = LiveEventMessages()

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
        let stream = EventStream(
            body: body, names: names, resumingAfter: lastEventID, lastLogged: outbox.lastEventID,
            liveMessages: liveMessages)
        let subscription = outbox.eventFeed.subscribe(names: names) { events, missedEarlier in
            stream.take(events, missedEarlier: missedEarlier)
        }
        let ticker = Task { [settings] in
            while true {
                do { try await Task.sleep(for: settings.heartbeat) } catch { return }
                stream.wake(.heartbeat)
            }
        }
        let feeder = Task { [outbox, settings] in
            for await wake in stream.wakes {
                let outcome: EventStream.Delivery
                switch wake {
                case .catchUp:
                    do {
                        outcome = try await stream.catchUp(
                            from: outbox, page: settings.replayPage, stallLimit: settings.stallLimit)
                    } catch {
                        self.logger.error("cannot read the event log", metadata: ["error": "\(error)"])
                        body.abort()
                        return
                    }
                case .heartbeat:
                    outcome = await stream.deliver(EventStream.heartbeat, stallLimit: settings.stallLimit)
                }
                switch outcome {
                case .sent: continue
                case .closed: return
                case .stalled:
                    self.dropped.increment()
                    self.logger.warning(
                        "event stream client took nothing for \(settings.stallLimit); disconnected",
                        metadata: ["buffered": "\(body.bufferedByteCount)"])
                    return
                }
            }
        }
        body.onClose { [weak self] in
            subscription.cancel()
            ticker.cancel()
            feeder.cancel()
            stream.endWakes()
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
}

/// 503 with `Retry-After`: every stream the node allows is open.
struct EventStreamsFull: HTTPError {
    let limit: Int
    var problem: ProblemDetails {
        .unavailable("This node serves at most \(limit) event streams at once; try again later.")
    }
    var headers: HTTPHeaders { ["Retry-After": "5"] }
}

/// One client's stream: its filter, and whether it follows the live feed or catches up from the log (live
/// events then wait in a bounded backlog, or are read from the log again when they overflowed it).
final class EventStream: Sendable {
    /// Work for the stream's feeder task.
    enum Wake: Sendable {
        /// Send the logged events after the last one sent, then go live.
        case catchUp
        case heartbeat
    }

    /// How a send to the client ended.
    enum Delivery: Equatable {
        case sent
        /// The client is gone (or the stream ended).
        case closed
        /// The client took nothing for the stall limit: the connection is being closed.
        case stalled
    }

    private struct State {
        /// Live events go straight to the client; otherwise the feeder catches up from the log.
        var live: Bool
        /// Live events (already filtered) that came while catching up.
        var backlog: [LoggedEvent] = []
        var backlogBytes = 0
        /// The backlog overflowed and was emptied since the log was last read: the log is read again (it
        /// has those events) before the stream goes live.
        var backlogIncomplete = false
        /// The last id sent to the client (or skipped by the filter).
        var lastID: Int64

        /// Stops sending live events: the feeder reads the log from ``lastID`` on, which has them all.
        mutating func catchUpFromTheLog() {
            live = false
            backlog = []
            backlogBytes = 0
            backlogIncomplete = false
        }
    }

    static let heartbeat = Array(": heartbeat\n\n".utf8)

    let body: HTTPBodyStream
    private let names: Set<String>?
    private let liveMessages: LiveEventMessages
    private let state: Mutex<State>
    /// What the feeder task has to do, in order.
    let wakes: AsyncStream<Wake>
    private let wakeContinuation: AsyncStream<Wake>.Continuation

    /// - Parameters:
    ///   - resumingAfter: the client's last id: the stream starts by catching up after it; `nil` starts live.
    ///   - lastLogged: the id of the last event logged before the stream started: a live stream that has to
    ///     catch up from the log (a burst that did not fit) starts after it, not at the log's beginning.
    ///   - liveMessages: where live events are framed, shared by the node's streams.
    init(
        body: HTTPBodyStream, names: Set<String>?, resumingAfter: Int64?, lastLogged: Int64 = 0,
        liveMessages: LiveEventMessages = LiveEventMessages()
    ) {
        self.body = body
        self.names = names
        self.liveMessages = liveMessages
        state = Mutex(State(live: resumingAfter == nil, lastID: resumingAfter ?? lastLogged))
        (wakes, wakeContinuation) = AsyncStream.makeStream(of: Wake.self)
        if resumingAfter != nil { wakeContinuation.yield(.catchUp) }
    }

    /// Gives the feeder task work (from any thread; never blocks).
    func wake(_ wake: Wake) { wakeContinuation.yield(wake) }

    /// Ends the feeder task's loop.
    func endWakes() { wakeContinuation.finish() }

    /// Whether live events go straight to the client now.
    var isLive: Bool { state.withLock { $0.live } }

    /// The bytes of live events kept while catching up.
    var backlogByteCount: Int { state.withLock { $0.backlogBytes } }

    /// The broadcaster's sink (it runs on the broadcaster's task, so quickly), given the events this
    /// stream's filter names (the broadcaster filters them): sends them at once when live and they fit; if
    /// they do not fit, or the broadcaster missed commits before them, switches to catching up from the log
    /// (which has them) rather than buffer more. Returns `false` once the client is gone, which ends the
    /// subscription.
    func take(_ events: [LoggedEvent], missedEarlier: Bool = false) -> Bool {
        state.withLock { state in
            if body.isClosed { return false }
            guard state.live else {
                state.backlog += events
                state.backlogBytes += events.reduce(0) { $0 + $1.body.count }
                if missedEarlier || state.backlogBytes > body.capacity {
                    state.backlog = []
                    state.backlogBytes = 0
                    state.backlogIncomplete = true
                }
                return true
            }
            if missedEarlier {
                state.catchUpFromTheLog()
                wakeContinuation.yield(.catchUp)
                return true
            }
            let fresh = events.filter { $0.id > state.lastID }
            guard let last = fresh.last else { return true }
            switch body.offer(liveMessages.message(fresh)) {
            case .queued:
                state.lastID = last.id
                return true
            case .full:
                state.catchUpFromTheLog()
                wakeContinuation.yield(.catchUp)
                return true
            case .closed, .overflowed:
                return false
            }
        }
    }

    /// Sends the logged events after the last one sent, page by page (waiting for the client to take
    /// each), then the live events that came meanwhile and were not in them, and goes live: every event
    /// once, in order. Does nothing when the stream is live already.
    /// - Throws: GRDB's errors when the log cannot be read.
    func catchUp(from outbox: WebhookOutbox, page: Int, stallLimit: Duration) async throws -> Delivery {
        guard var last = state.withLock({ $0.live ? nil : $0.lastID }) else { return .sent }
        enum Next {
            case readLog
            case send([LoggedEvent])
            case live
        }
        readingTheLog: while true {
            while true {
                let events = try await outbox.events(after: last, names: names, limit: page)
                guard let newest = events.last else { break }
                let delivery = await deliver(Self.message(events), stallLimit: stallLimit)
                guard delivery == .sent else { return delivery }
                last = newest.id
                state.withLock { $0.lastID = last }
                if events.count < page { break }
            }
            while true {
                let next = state.withLock { state -> Next in
                    if state.backlogIncomplete {
                        state.backlogIncomplete = false
                        return .readLog
                    }
                    guard !state.backlog.isEmpty else {
                        state.live = true
                        return .live
                    }
                    defer {
                        state.backlog = []
                        state.backlogBytes = 0
                    }
                    return .send(state.backlog)
                }
                switch next {
                case .live: return .sent
                case .readLog: continue readingTheLog
                case .send(let backlog):
                    let fresh = backlog.filter { $0.id > last }
                    guard let newest = fresh.last else { continue }
                    let delivery = await deliver(Self.message(fresh), stallLimit: stallLimit)
                    guard delivery == .sent else { return delivery }
                    last = newest.id
                    state.withLock { $0.lastID = last }
                }
            }
        }
    }

    /// Sends `bytes` once the client has room for them, waiting at most `stallLimit` for the client to take
    /// what is buffered; past it the connection is closed.
    func deliver(_ bytes: [UInt8], stallLimit: Duration) async -> Delivery {
        while true {
            switch body.offer(bytes) {
            case .queued: return .sent
            case .closed, .overflowed: return .closed
            case .full: break
            }
            let room = await withTaskGroup(of: Bool?.self) { group -> Bool? in
                group.addTask { await self.body.waitForRoom(bytes.count) }
                group.addTask {
                    do { try await Task.sleep(for: stallLimit) } catch { return true }
                    return nil
                }
                let first = await group.next() ?? nil
                if first == nil {
                    // Stalled: closing the stream also ends the wait for room.
                    body.abort()
                }
                group.cancelAll()
                return first
            }
            guard let room else { return .stalled }
            guard room else { return .closed }
        }
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
