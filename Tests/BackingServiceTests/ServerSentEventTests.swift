import Foundation
import Testing
import Webhooks

@testable import BackingService
@testable import HTTPServer

/// How one `GET /v1/events` stream writes events and what it does with live events that do not fit in its
/// client's buffer (the stream's body alone, without a server: what a server would send is what its
/// buffer holds).
struct ServerSentEventTests {
    static func event(_ id: Int64, _ name: String = "statement.share", body: String = #"{"a":1}"#) -> LoggedEvent {
        LoggedEvent(id: id, event: name, body: Array(body.utf8), createdAt: Date())
    }

    @Test func anEventIsOneMessageWithItsIdNameAndBodyOnOneDataLine() {
        let text = String(
            decoding: EventStream.message([Self.event(7), Self.event(9, "provisioner.backed")]), as: UTF8.self)
        #expect(
            text
                == "id: 7\nevent: statement.share\ndata: {\"a\":1}\n\nid: 9\nevent: provisioner.backed\ndata: {\"a\":1}\n\n"
        )
    }

    @Test func aBodyWithLineBreaksBecomesOneDataLinePerLine() {
        let text = String(decoding: EventStream.message([Self.event(1, body: "a\nb\r\nc\rd")]), as: UTF8.self)
        #expect(text == "id: 1\nevent: statement.share\ndata: a\ndata: b\ndata: c\ndata: d\n\n")
    }

    /// What a stream's client would read next: every byte its buffer holds.
    static func buffered(_ body: HTTPBodyStream) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: body.bufferedByteCount)
        let count = bytes.withUnsafeMutableBytes { body.read(into: $0) }
        return Array(bytes.prefix(count))
    }

    @Test func aLiveStreamSendsEachEventItIsHandedOnce() {
        let body = HTTPBodyStream(capacity: 1 << 16)
        let stream = EventStream(body: body, names: ["provisioner.backed"], resumingAfter: nil)
        // The broadcaster hands a stream only the events its filter names (EventLogTests prove that).
        #expect(stream.take([Self.event(2, "provisioner.backed")]))
        // A batch seen before (ids up to 2) is not sent again.
        #expect(stream.take([Self.event(2, "provisioner.backed")]))
        #expect(Self.buffered(body) == EventStream.message([Self.event(2, "provisioner.backed")]))
        #expect(stream.isLive)
    }

    @Test func aLiveBatchIsFramedOnceForEveryStreamThatSendsIt() {
        let shared = LiveEventMessages()
        let bodies = (0..<6).map { _ in HTTPBodyStream(capacity: 1 << 16) }
        let streams = bodies.map { EventStream(body: $0, names: nil, resumingAfter: nil, liveMessages: shared) }
        let batch = [Self.event(1), Self.event(2, "provisioner.backed", body: "a\nb"), Self.event(3)]
        // Five streams send the whole batch; the sixth had sent up to 1 already, so it sends 2 and 3.
        #expect(streams[5].take([Self.event(1)]))
        for stream in streams { #expect(stream.take(batch)) }
        #expect(shared.framedCount == 3)
        for body in bodies.prefix(5) { #expect(Self.buffered(body) == EventStream.message(batch)) }
        #expect(Self.buffered(bodies[5]) == EventStream.message(batch))
        // The next batch is framed once more, whatever the number of streams.
        let next = [Self.event(4), Self.event(5)]
        for stream in streams { #expect(stream.take(next)) }
        #expect(shared.framedCount == 5)
        for body in bodies { #expect(Self.buffered(body) == EventStream.message(next)) }
    }

    @Test func sharedMessagesEqualTheStreamFormatForAnySubsetOfABatch() {
        let shared = LiveEventMessages()
        let batch = (10...20).map { Self.event(Int64($0), $0 % 3 == 0 ? "provisioner.backed" : "statement.share") }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let subset = batch.filter { _ in Bool.random(using: &rng) }
            #expect(shared.message(subset) == EventStream.message(subset))
        }
        #expect(shared.framedCount <= batch.count)
    }

    @Test func framesPastTheByteLimitAreDroppedAtTheNextBatchAndStillComeOutRight() {
        let shared = LiveEventMessages(byteLimit: 200)
        let first = (1...5).map { Self.event(Int64($0)) }
        let second = (6...8).map { Self.event(Int64($0)) }
        #expect(shared.message(first) == EventStream.message(first))
        #expect(shared.message(first) == EventStream.message(first))
        #expect(shared.framedCount == 5)
        // Past 200 bytes: the next batch starts afresh; an earlier event asked for again is framed again.
        #expect(shared.message(second) == EventStream.message(second))
        #expect(shared.message(Array(first.suffix(1)) + second) == EventStream.message(Array(first.suffix(1)) + second))
        #expect(shared.framedCount == 9)
    }

    @Test func aLiveBatchThatDoesNotFitSwitchesToCatchingUpFromTheLogInsteadOfBufferingMore() {
        let body = HTTPBodyStream(capacity: 400)
        let stream = EventStream(body: body, names: nil, resumingAfter: nil)
        var id: Int64 = 1
        while stream.isLive, id < 100 {
            #expect(stream.take([Self.event(id)]))
            id += 1
        }
        #expect(!stream.isLive)
        #expect(body.bufferedByteCount <= 400)
        let buffered = body.bufferedByteCount
        // Later events wait for the catch-up (the log has them); nothing more is buffered for the client.
        for later in id..<id + 20 { #expect(stream.take([Self.event(later)])) }
        #expect(body.bufferedByteCount == buffered)
        #expect(stream.backlogByteCount <= 400)
    }

    @Test func eventsArrivingWhileCatchingUpWaitInABacklogNoLargerThanTheBuffer() {
        let body = HTTPBodyStream(capacity: 100)
        let stream = EventStream(body: body, names: nil, resumingAfter: 0)
        for id in 1...20 {
            #expect(stream.take([Self.event(Int64(id))]))
            #expect(stream.backlogByteCount <= 100)
        }
        #expect(body.bufferedByteCount == 0)
    }

    @Test func aLiveStreamFollowsOnFromTheLastEventLoggedBeforeItStarted() {
        let body = HTTPBodyStream(capacity: 1 << 16)
        let stream = EventStream(body: body, names: nil, resumingAfter: nil, lastLogged: 10)
        // Committed before the stream started, handed over after: not sent.
        #expect(stream.take([Self.event(9), Self.event(10)]))
        #expect(body.bufferedByteCount == 0)
        #expect(stream.take([Self.event(11)]))
        #expect(body.bufferedByteCount == EventStream.message([Self.event(11)]).count)
    }

    @Test func aBatchAfterCommitsTheFeedMissedSwitchesALiveStreamToCatchingUpFromTheLog() {
        let body = HTTPBodyStream(capacity: 1 << 16)
        let stream = EventStream(body: body, names: nil, resumingAfter: nil, lastLogged: 5)
        #expect(stream.take([Self.event(6)]))
        let buffered = body.bufferedByteCount
        // 7 and 8 were not handed over: 9 is not sent before them, the log gives all three.
        #expect(stream.take([Self.event(9)], missedEarlier: true))
        #expect(!stream.isLive)
        #expect(body.bufferedByteCount == buffered)
        #expect(stream.backlogByteCount == 0)
    }

    @Test func aBatchAfterMissedCommitsWhileCatchingUpIsNotKeptInTheBacklog() {
        let body = HTTPBodyStream(capacity: 1 << 16)
        let stream = EventStream(body: body, names: nil, resumingAfter: 0)
        #expect(stream.take([Self.event(1)]))
        #expect(stream.backlogByteCount > 0)
        #expect(stream.take([Self.event(4)], missedEarlier: true))
        #expect(stream.backlogByteCount == 0)
        #expect(!stream.isLive)
    }
}
