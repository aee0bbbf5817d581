internal import Backing
public import Foundation

/// One web-hook event as the event log holds it: what `GET /v1/events` streams, one per message (not per
/// delivery URL), whether or not any URL subscribes to it.
public struct LoggedEvent: Sendable, Equatable {
    /// The event's place in the log: one more than the event logged before it, and never handed out again,
    /// also after pruning and restarts.
    public let id: Int64
    /// The web-hook event name, e.g. `statement.share`.
    public let event: String
    /// The web-hook body: the same compact JSON bytes a web-hook receiver gets.
    public let body: [UInt8]
    /// When the commit that logged it was made; pruning goes by this.
    public let createdAt: Date

    public init(id: Int64, event: String, body: [UInt8], createdAt: Date) {
        self.id = id
        self.event = event
        self.body = body
        self.createdAt = createdAt
    }
}

/// One commit's events as logged: the ids from `firstID` on, in submit order.
///
/// The live feed makes its bodies from the messages themselves, not from their records read back: records
/// refer to values a reader would look up in the database. That a record reads back as its message, body for
/// body, is what `EventRecordsTests` prove.
struct CommittedEvents: Sendable {
    let firstID: Int64
    let messages: [OutboundMessage]
    /// Unix seconds, as stored, so that a live event equals the same event read back.
    let createdAt: Double

    /// The events named in `names` (all when `nil`), with their web-hook bodies.
    /// - Throws: the encoder's error for a message without a body (none has).
    func logged(names: Set<String>?) throws -> [LoggedEvent] {
        let date = Date(timeIntervalSince1970: createdAt)
        return try messages.enumerated().compactMap { index, message in
            guard names?.contains(message.event) ?? true else { return nil }
            return LoggedEvent(
                id: firstID + Int64(index), event: message.event, body: try message.webhookBody(), createdAt: date)
        }
    }
}

extension EventRecords {
    /// The events of one commit's `count` records in `bytes` (ids from `firstID` on, logged at `createdAt`, in
    /// Unix seconds) after `after`, named in `names` (all when `nil`), at most `limit`, with their web-hook
    /// bodies: a record is decoded (with the values it refers to from `values`) and its body made only when it
    /// is wanted.
    /// - Throws: ``EventRecordError`` or `ScaleDecodingError` for records that do not decode.
    static func loggedEvents(
        in bytes: [UInt8], count: Int, firstID: Int64, createdAt: Double, after: Int64 = .min,
        names: Set<String>?, limit: Int = .max, values: EventValueSource
    ) throws -> [LoggedEvent] {
        let date = Date(timeIntervalSince1970: createdAt)
        var events: [LoggedEvent] = []
        for (index, record) in try records(in: bytes, count: count).enumerated() {
            guard events.count < limit else { break }
            let id = firstID + Int64(index)
            guard id > after, names?.contains(record.event) ?? true else { continue }
            events.append(
                LoggedEvent(
                    id: id, event: record.event, body: try record.message(values: values).webhookBody(), createdAt: date
                ))
        }
        return events
    }
}
