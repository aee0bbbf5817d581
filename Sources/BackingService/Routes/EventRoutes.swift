import Foundation
import HTTPServer
import Webhooks

/// `GET /v1/events`: the web-hook events as Server-Sent Events (contract §8.27).
enum EventRoutes {
    static func register(on router: inout Router, context: ServiceContext) {
        router.route(.get, "/v1/events", accepts: nil) { request in
            let names = try eventNames(request.query["events"])
            let after = try lastEventID(request)
            return try context.eventStreams.open(names: names, after: after)
        }
    }

    /// `?events=a,b`: the event names to stream (every event when absent).
    /// - Throws: a 400 problem naming `events` for an empty list or an unknown name.
    static func eventNames(_ text: String?) throws -> Set<String>? {
        guard let text else { return nil }
        let known = WebhookConfiguration.events
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        for name in names where !known.contains(name) {
            let shown = name.isEmpty ? "an empty name" : "unknown event \(name)"
            throw ProblemDetails.badRequest(
                "events: \(shown); expected a comma-separated list of \(known.joined(separator: ", "))")
        }
        return Set(names)
    }

    /// The id to resume after: the `Last-Event-ID` header (which an `EventSource` sends when it reconnects,
    /// so it is newer than a `lastEventId` left in the URL it first connected with), else `?lastEventId=`;
    /// `nil` when neither is given (only events committed from now on are streamed).
    /// - Throws: a 400 problem naming the header or the parameter when one given is not a non-negative
    ///   integer (also the one the other overrides: bad input is never ignored).
    static func lastEventID(_ request: HTTPRequest) throws -> Int64? {
        let parameter = try request.query["lastEventId"].map { try eventID($0, named: "lastEventId") }
        let header = try request.headers["last-event-id"].map { try eventID($0, named: "Last-Event-ID") }
        return header ?? parameter
    }

    /// `value` as an event id.
    /// - Throws: a 400 problem naming `name` when it is not a non-negative decimal integer that fits 63 bits.
    private static func eventID(_ value: String, named name: String) throws -> Int64 {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let id = Int64(trimmed)
        else {
            throw ProblemDetails.badRequest(
                "\(name): expected the decimal id of an event (a non-negative integer), got \(value)")
        }
        return id
    }
}
