internal import Foundation

/// Where each web-hook event goes, how bodies are signed, and how failed deliveries are retried.
///
/// Defaults follow contract §7.17: back-off from 0.5 s, doubling to a 60 s cap, ±20 % jitter, give up
/// after 24 h.
public struct WebhookConfiguration: Sendable {
    /// The web-hook events, as `OutboundMessage.event` names them (`statement.backed` at async-backing
    /// relay parents only).
    public static let events: [String] = [
        "statement.share", "collator.seconded", "collator.invalid", "provisioner.backed",
        "provisioner.misbehavior", "dispute.statements", "availability.stored", "statement.backed",
    ]

    /// One `EVENT=URL` subscription.
    public struct Subscription: Sendable, Equatable {
        public var event: String
        public var url: String

        public init(event: String, url: String) {
            self.event = event
            self.url = url
        }
    }

    /// Every subscription; an event may go to several URLs.
    public var subscriptions: [Subscription]
    /// The HMAC-SHA256 key for `X-Backing-Signature`; without one no signature header is sent.
    public var secret: String?
    /// How long after its creation a delivery is retried before it is dead-lettered.
    public var giveUpAfter: Duration
    /// How long a delivered delivery stays in the table (and in the deliveries listing) before it is
    /// deleted; dead-lettered ones are kept.
    public var deliveredRetention: Duration
    /// How long an event stays in the event log (replayable by `GET /v1/events` after a client's last id)
    /// before it is deleted.
    public var eventRetention: Duration
    /// The first retry's delay.
    public var initialBackoff: Duration
    /// The longest delay between two attempts.
    public var maxBackoff: Duration
    /// Each delay is scaled by a random factor in `1 ± jitter`.
    public var jitter: Double
    /// The limit for one delivery attempt.
    public var requestTimeout: Duration
    /// The limit for connecting, within `requestTimeout`.
    public var connectTimeout: Duration

    public init(
        subscriptions: [Subscription], secret: String? = nil, giveUpAfter: Duration = .seconds(24 * 3600),
        deliveredRetention: Duration = .seconds(7 * 24 * 3600), eventRetention: Duration = .seconds(3600),
        initialBackoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(60), jitter: Double = 0.2,
        requestTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5)
    ) {
        self.subscriptions = subscriptions
        self.secret = secret
        self.giveUpAfter = giveUpAfter
        self.deliveredRetention = deliveredRetention
        self.eventRetention = eventRetention
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.jitter = jitter
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
    }

    /// Parses `EVENT=URL` strings (`--webhook` flags); `*=URL` subscribes the URL to every event.
    /// - Throws: ``WebhookConfigurationError`` naming the first malformed entry, unknown event or
    ///   URL that is not `http(s)://`.
    public static func subscriptions(parsing specs: [String]) throws(WebhookConfigurationError) -> [Subscription] {
        var result: [Subscription] = []
        for spec in specs {
            guard let equals = spec.firstIndex(of: "=") else {
                throw WebhookConfigurationError(spec: spec, reason: "expected EVENT=URL")
            }
            let event = String(spec[..<equals]).trimmingCharacters(in: .whitespaces)
            let url = String(spec[spec.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
                parsed.host != nil
            else {
                throw WebhookConfigurationError(spec: spec, reason: "expected an http:// or https:// URL")
            }
            if event == "*" {
                result += events.map { Subscription(event: $0, url: url) }
            } else if events.contains(event) {
                result.append(Subscription(event: event, url: url))
            } else {
                throw WebhookConfigurationError(
                    spec: spec, reason: "unknown event \(event); expected one of \(events.joined(separator: ", ")) or *"
                )
            }
        }
        return result
    }

    /// The URLs subscribed to `event`, each once, in configuration order.
    func urls(for event: String) -> [String] {
        var seen = Set<String>()
        return subscriptions.filter { $0.event == event && seen.insert($0.url).inserted }.map(\.url)
    }

    /// The delay before attempt `attempt + 1` after `attempt` failed ones (1-based), jittered.
    func backoff(afterAttempts attempt: Int, random: Double = Double.random(in: -1...1)) -> Duration {
        let exponent = min(max(attempt - 1, 0), 40)
        let base = min(initialBackoff * pow(2.0, Double(exponent)), maxBackoff)
        return base * (1 + jitter * random)
    }
}

/// A `--webhook` entry that could not be used.
public struct WebhookConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The entry as given.
    public let spec: String
    /// What is wrong with it.
    public let reason: String

    public var description: String { "--webhook \(spec): \(reason)" }
}
