internal import Foundation
internal import Synchronization
internal import Tracing

/// What one attempt came to.
enum AttemptResult: Equatable {
    case delivered
    /// Worth retrying (network error, 408, 429, 5xx); `retryAfter` from the receiver's header.
    case retry(reason: String, retryAfter: Duration?)
    /// The receiver refused for good (any other status).
    case permanent(reason: String)
    /// The outbox is shutting down; the delivery stays pending for the next start.
    case cancelled
}

extension WebhookOutbox {
    /// What a lane does next.
    private enum Step {
        case deliver(PendingDelivery)
        case load(after: Int64)
        case idle
    }

    /// Moves the lane of `url` on by one step: sends its first pending delivery, loads more rows from
    /// the table, or marks the lane idle.
    ///
    /// Exactly one step of a lane is under way at a time: whoever sets `Lane.running` calls this, and
    /// every step ends by calling it again (from the curl thread when a POST ends, from a task after a
    /// retry delay or a load). Deliveries are chained on the curl thread without a hop to a
    /// Swift-concurrency thread, so one URL gets its next POST as soon as the previous one is answered.
    func advance(_ url: String) {
        let step = state.withLock { state -> Step in
            guard !state.stopping, let lane = state.lanes[url] else { return .idle }
            if let row = lane.first { return .deliver(row) }
            if lane.overflow { return .load(after: lane.lastQueued) }
            return .idle
        }
        switch step {
        case .idle:
            endStep(url)
        case .deliver(let row):
            send(row, attempts: row.attempts + 1)
        case .load(let after):
            Task {
                do {
                    try await store.loadPending(url: url, after: after, limit: Lane.capacity) { rows in
                        self.state.withLock { $0.lanes[url]?.loaded(rows, limit: Lane.capacity) }
                    }
                } catch {
                    logger.error("cannot load pending web-hook deliveries for \(url): \(error)")
                    try? await Task.sleep(for: .seconds(1))
                }
                advance(url)
            }
        }
    }

    /// The lane of `url` has nothing to do (or the outbox is stopping): marks it idle, and releases a
    /// shutdown waiting for every lane to be idle.
    private func endStep(_ url: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.lanes[url]?.running = false
            state.lanes[url]?.inFlight = nil
            state.lanes[url]?.retryTimer = nil
            guard state.stopping, !state.lanes.values.contains(where: \.running) else { return [] }
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Posts `row` (its `attempts`-th attempt) inside a client span whose parent is the trace context stored
    /// with the row (the span that caused the message, in an earlier run perhaps); the POST carries that
    /// span's `traceparent`. The outcome arrives on the curl thread, which ends the span.
    private func send(_ row: PendingDelivery, attempts: Int) {
        var parent = ServiceContext.topLevel
        if let trace = row.trace {
            var carrier = [("traceparent", trace.traceParent)]
            if let state = trace.traceState { carrier.append(("tracestate", state)) }
            InstrumentationSystem.instrument.extract(carrier, into: &parent, using: HeaderPairsExtractor())
        }
        let span = InstrumentationSystem.tracer.startSpan("webhook \(row.event)", context: parent, ofKind: .client)
        var request = request(for: row)
        InstrumentationSystem.instrument.inject(span.context, into: &request.headers, using: HeaderPairsInjector())
        if span.isRecording {
            span.updateAttributes { attributes in
                attributes["http.request.method"] = "POST"
                attributes["url.full"] = row.url
                attributes["backingd.webhook.event"] = row.event
                attributes["backingd.webhook.delivery"] = row.id
                attributes["backingd.webhook.attempt"] = attempts
            }
        }
        let id = client.start(request) { result in
            Self.endDeliverySpan(span, result)
            self.finished(row, attempts: attempts, result: result)
        }
        // A shutdown that ran between `start` and here did not see this id, so it is cancelled here.
        let stopping = state.withLock { state -> Bool in
            state.lanes[row.url]?.inFlight = id
            return state.stopping
        }
        if stopping { client.cancel(id) }
    }

    private static func endDeliverySpan(_ span: any Span, _ result: Result<CurlResponse, CurlError>) {
        if span.isRecording {
            switch result {
            case .success(let response):
                span.attributes["http.response.status_code"] = response.status
                if !(200..<300).contains(response.status) { span.setStatus(SpanStatus(code: .error)) }
            case .failure(let error):
                span.setStatus(SpanStatus(code: .error, message: error.description))
            }
        }
        span.end()
    }

    /// Records the outcome of an attempt and moves the lane on (runs on the curl thread: quick).
    private func finished(_ row: PendingDelivery, attempts: Int, result: Result<CurlResponse, CurlError>) {
        let outcome: AttemptResult
        switch result {
        case .success(let response):
            outcome = Self.classify(response)
        case .failure(let error):
            // Cancelled or shut down: the delivery stays pending, its attempt uncounted, for the next start.
            outcome =
                error.kind == .cancelled || error.kind == .shutdown
                ? .cancelled : .retry(reason: error.description, retryAfter: nil)
        }
        switch outcome {
        case .cancelled:
            endStep(row.url)
        case .delivered:
            metrics.count(row.event, "delivered")
            metrics.recordLatency(since: row.createdAt)
            record(
                DeliveryUpdate(
                    sequence: row.sequence, status: .delivered, attempts: attempts, lastError: nil, nextAttemptAt: nil,
                    deliveredAt: Date()))
            settle(row)
        case .permanent(let reason):
            deadLetter(row, attempts: attempts, reason: reason)
            settle(row)
        case .retry(let reason, let retryAfter):
            let delay = retryAfter ?? configuration.backoff(afterAttempts: attempts)
            let next = Date().addingTimeInterval(delay.timeInterval)
            let horizon = row.createdAt.addingTimeInterval(configuration.giveUpAfter.timeInterval)
            guard next <= horizon else {
                deadLetter(row, attempts: attempts, reason: "gave up after \(attempts) attempts: \(reason)")
                settle(row)
                return
            }
            metrics.count(row.event, "retried")
            record(
                DeliveryUpdate(
                    sequence: row.sequence, status: .pending, attempts: attempts, lastError: reason,
                    nextAttemptAt: next, deliveredAt: nil))
            scheduleRetry(row, attempts: attempts + 1, after: delay)
        }
    }

    /// The lane's first row is delivered or dead-lettered: drops it and goes on with the next.
    private func settle(_ row: PendingDelivery) {
        state.withLock { $0.lanes[row.url]?.removeFirst() }
        advance(row.url)
    }

    /// Attempts `row` again after `delay`; the lane waits (later rows keep their order behind it).
    private func scheduleRetry(_ row: PendingDelivery, attempts: Int, after delay: Duration) {
        let timer = Task {
            do {
                try await Task.sleep(for: delay)
            } catch {
                endStep(row.url)  // cancelled by shutdown
                return
            }
            let stopping = state.withLock { $0.stopping }
            if stopping { endStep(row.url) } else { send(row, attempts: attempts) }
        }
        let stopping = state.withLock { state -> Bool in
            state.lanes[row.url]?.retryTimer = timer
            return state.stopping
        }
        if stopping { timer.cancel() }
    }

    private func deadLetter(_ row: PendingDelivery, attempts: Int, reason: String) {
        logger.warning("web-hook \(row.event) \(row.id) to \(row.url) dead-lettered: \(reason)")
        metrics.count(row.event, "failed")
        record(
            DeliveryUpdate(
                sequence: row.sequence, status: .failed, attempts: attempts, lastError: reason, nextAttemptAt: nil,
                deliveredAt: nil))
    }

    /// The POST of `row`, with the contract's headers.
    private func request(for row: PendingDelivery) -> CurlRequest {
        var headers = [
            ("Content-Type", "application/json"), ("User-Agent", "backingd"), ("X-Backing-Event", row.event),
            ("X-Backing-Delivery", row.id),
        ]
        if let secret = configuration.secret {
            headers.append(("X-Backing-Signature", WebhookSignature.header(body: row.body, secret: secret)))
        }
        return CurlRequest(
            method: "POST", url: row.url, headers: headers, body: row.body, timeout: configuration.requestTimeout,
            connectTimeout: configuration.connectTimeout, maxResponseBytes: 1 << 20)
    }

    /// 2xx delivered; 408, 429 and 5xx retried (429 and 503 with their `Retry-After`); the rest permanent.
    static func classify(_ response: CurlResponse, now: Date = Date()) -> AttemptResult {
        let status = response.status
        switch status {
        case 200..<300:
            return .delivered
        case 408, 429, 500..<600:
            let retryAfter =
                status == 429 || status == 503
                ? response.header("Retry-After").flatMap { retryAfterDelay($0, now: now) } : nil
            return .retry(reason: "HTTP \(status)", retryAfter: retryAfter)
        default:
            return .permanent(reason: "HTTP \(status)")
        }
    }

    /// `Retry-After` as delay-seconds or an HTTP date; `nil` if it is neither.
    static func retryAfterDelay(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return .seconds(max(0, date.timeIntervalSince(now)))
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
