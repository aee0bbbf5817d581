import Synchronization
import Webhooks

/// The Server-Sent Events frames of the latest live events, made once for all the node's streams.
///
/// Why: the outbox's event feed hands each commit's events to every open stream in turn, on one task. Each
/// stream sends the events it asked for that it has not sent yet; without this, every stream framed the same
/// events again (escaping each body byte by byte into a new array). Here an event is framed once; a stream's
/// message is its events' frames put together.
///
/// Frames are kept until they take `byteLimit` (1 MiB); then the next batch (an event newer than every
/// framed one) starts afresh. Ids only grow, so the frames dropped then are of events no stream will be handed
/// live again.
final class LiveEventMessages: Sendable {
    private struct Frames {
        var byID: [Int64: [UInt8]] = [:]
        var byteCount = 0
        /// The newest event id framed.
        var newestID: Int64 = .min
        /// How many events were framed since the start.
        var framedCount = 0
    }

    private let byteLimit: Int
    private let frames = Mutex(Frames())

    init(byteLimit: Int = 1 << 20) { self.byteLimit = byteLimit }

    /// How many events were framed so far (the point: not once per stream).
    var framedCount: Int { frames.withLock { $0.framedCount } }

    /// `events` (in id order) as one Server-Sent Events message: equal to ``EventStream/message(_:)``.
    func message(_ events: [LoggedEvent]) -> [UInt8] {
        guard let first = events.first else { return [] }
        return frames.withLock { frames in
            if first.id > frames.newestID, frames.byteCount > byteLimit {
                frames = Frames(framedCount: frames.framedCount)
            }
            var message: [UInt8] = []
            for event in events {
                if let frame = frames.byID[event.id] {
                    message += frame
                    continue
                }
                let frame = EventStream.message([event])
                frames.byID[event.id] = frame
                frames.byteCount += frame.count
                frames.framedCount += 1
                frames.newestID = max(frames.newestID, event.id)
                message += frame
            }
            return message
        }
    }
}
