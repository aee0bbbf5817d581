public import Foundation

/// Where a web-hook delivery stands.
public enum DeliveryStatus: String, Codable, Sendable, CaseIterable {
    /// Not yet delivered; being attempted or waiting for its next attempt.
    case pending
    /// A 2xx answer was received.
    case delivered
    /// Dead-lettered: a permanent error, or still failing at the give-up horizon.
    case failed
}

/// One delivery as `GET /v1/webhooks/deliveries` lists it (contract §7.18):
/// `{id, event, url, status, attempts, lastError, createdAt, nextAttemptAt, deliveredAt}`, dates in
/// ISO-8601 (UTC, milliseconds), absent values as `null`.
public struct DeliveryRecord: Codable, Sendable, Equatable {
    /// The `X-Backing-Delivery` uuid; the same on every attempt.
    public var id: String
    public var event: String
    public var url: String
    public var status: DeliveryStatus
    /// Attempts made so far.
    public var attempts: Int
    /// Why the last attempt failed (`HTTP 500`, curl's message…), if it did.
    public var lastError: String?
    public var createdAt: Date
    /// When the next attempt is due, for a pending delivery that has failed before.
    public var nextAttemptAt: Date?
    public var deliveredAt: Date?

    public init(
        id: String, event: String, url: String, status: DeliveryStatus, attempts: Int, lastError: String?,
        createdAt: Date, nextAttemptAt: Date?, deliveredAt: Date?
    ) {
        self.id = id
        self.event = event
        self.url = url
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
        self.deliveredAt = deliveredAt
    }

    enum CodingKeys: String, CodingKey {
        case id, event, url, status, attempts, lastError, createdAt, nextAttemptAt, deliveredAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func date(_ key: CodingKeys) throws -> Date? {
            guard let text = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let date = Self.parseDate(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "expected an ISO-8601 date")
            }
            return date
        }
        id = try container.decode(String.self, forKey: .id)
        event = try container.decode(String.self, forKey: .event)
        url = try container.decode(String.self, forKey: .url)
        status = try container.decode(DeliveryStatus.self, forKey: .status)
        attempts = try container.decode(Int.self, forKey: .attempts)
        lastError = try container.decodeIfPresent(String.self, forKey: .lastError)
        guard let created = try date(.createdAt) else {
            throw DecodingError.keyNotFound(
                CodingKeys.createdAt, .init(codingPath: decoder.codingPath, debugDescription: "missing createdAt"))
        }
        createdAt = created
        nextAttemptAt = try date(.nextAttemptAt)
        deliveredAt = try date(.deliveredAt)
    }

    /// Writes dates as ISO-8601 strings whatever the encoder's date strategy, and `null` for absent values.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(event, forKey: .event)
        try container.encode(url, forKey: .url)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(Self.formatDate(createdAt), forKey: .createdAt)
        try container.encode(nextAttemptAt.map(Self.formatDate), forKey: .nextAttemptAt)
        try container.encode(deliveredAt.map(Self.formatDate), forKey: .deliveredAt)
    }

    static func formatDate(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func parseDate(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}
