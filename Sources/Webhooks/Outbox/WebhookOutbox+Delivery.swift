internal import Foundation
internal import Synchronization

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
    /// What a lane worker does next.
    private enum Step {
        case deliver(PendingDelivery)
        case load(after: Int64)
        case idle
    }

    /// Delivers the lane of `url` in order until it is empty, then ends (a commit starts a new worker).
    /// Runs as a child of the dispatcher task, so shutdown cancels it.
    func runLane(_ url: String) async {
        while !Task.isCancelled {
            let step = state.withLock { state -> Step in
                guard let lane = state.lanes[url] else { return .idle }
                if let row = lane.first { return .deliver(row) }
                if lane.overflow { return .load(after: lane.lastQueued) }
                state.lanes[url]?.running = false
                return .idle
            }
            switch step {
            case .idle:
                return
            case .deliver(let row):
                guard await deliver(row) else { return }
                state.withLock { $0.lanes[url]?.removeFirst() }
            case .load(let after):
                do {
                    try await store.loadPending(url: url, after: after, limit: Lane.capacity) { rows in
                        self.state.withLock { $0.lanes[url]?.loaded(rows, limit: Lane.capacity) }
                    }
                } catch {
                    logger.error("cannot load pending web-hook deliveries for \(url): \(error)")
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// Attempts `row` until it is delivered or dead-lettered; `false` if cancelled first.
    private func deliver(_ row: PendingDelivery) async -> Bool {
        var attempts = row.attempts
        while true {
            attempts += 1
            let result = await attempt(row)
            switch result {
            case .cancelled:
                return false
            case .delivered:
                metrics.count(row.event, "delivered")
                metrics.recordLatency(since: row.createdAt)
                record(
                    DeliveryUpdate(
                        sequence: row.sequence, status: .delivered, attempts: attempts, lastError: nil,
                        nextAttemptAt: nil,
                        deliveredAt: Date()))
                return true
            case .permanent(let reason):
                deadLetter(row, attempts: attempts, reason: reason)
                return true
            case .retry(let reason, let retryAfter):
                let delay = retryAfter ?? configuration.backoff(afterAttempts: attempts)
                let next = Date().addingTimeInterval(delay.timeInterval)
                let horizon = row.createdAt.addingTimeInterval(configuration.giveUpAfter.timeInterval)
                guard next <= horizon else {
                    deadLetter(row, attempts: attempts, reason: "gave up after \(attempts) attempts: \(reason)")
                    return true
                }
                metrics.count(row.event, "retried")
                record(
                    DeliveryUpdate(
                        sequence: row.sequence, status: .pending, attempts: attempts, lastError: reason,
                        nextAttemptAt: next,
                        deliveredAt: nil))
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    return false
                }
            }
        }
    }

    private func deadLetter(_ row: PendingDelivery, attempts: Int, reason: String) {
        logger.warning("web-hook \(row.event) \(row.id) to \(row.url) dead-lettered: \(reason)")
        metrics.count(row.event, "failed")
        record(
            DeliveryUpdate(
                sequence: row.sequence, status: .failed, attempts: attempts, lastError: reason, nextAttemptAt: nil,
                deliveredAt: nil))
    }

    /// One POST of `row`, classified.
    private func attempt(_ row: PendingDelivery) async -> AttemptResult {
        var headers = [
            ("Content-Type", "application/json"), ("User-Agent", "backingd"), ("X-Backing-Event", row.event),
            ("X-Backing-Delivery", row.id),
        ]
        if let secret = configuration.secret {
            headers.append(("X-Backing-Signature", WebhookSignature.header(body: row.body, secret: secret)))
        }
        let request = CurlRequest(
            method: "POST", url: row.url, headers: headers, body: row.body, timeout: configuration.requestTimeout,
            connectTimeout: configuration.connectTimeout, maxResponseBytes: 1 << 20)
        do {
            let response = try await client.send(request)
            return Self.classify(response)
        } catch {
            if error.kind == .cancelled || Task.isCancelled { return .cancelled }
            return .retry(reason: error.description, retryAfter: nil)
        }
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
