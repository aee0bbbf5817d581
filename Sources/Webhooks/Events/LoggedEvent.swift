public import Foundation

/// One web-hook event as the event log holds it: what `GET /v1/events` streams, one per message (not per
/// delivery URL), whether or not any URL subscribes to it.
public struct LoggedEvent: Sendable, Equatable {
    /// The event's place in the log: larger for every later commit and never reused, also after pruning and
    /// restarts (the table's `AUTOINCREMENT` key); ids may have gaps.
    public let id: Int64
    /// The web-hook event name, e.g. `statement.share`.
    public let event: String
    /// The web-hook body: the same compact JSON bytes a web-hook receiver gets.
    public let body: [UInt8]
    /// When the message was submitted; pruning goes by this.
    public let createdAt: Date

    public init(id: Int64, event: String, body: [UInt8], createdAt: Date) {
        self.id = id
        self.event = event
        self.body = body
        self.createdAt = createdAt
    }
}

/// An event to be logged by the next commit.
struct NewEvent: Sendable {
    let event: String
    let body: [UInt8]
    let createdAt: Date
}
