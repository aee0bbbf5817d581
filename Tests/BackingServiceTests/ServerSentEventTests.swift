import Foundation
import HTTPServer
import Testing
import Webhooks

@testable import BackingService

/// How one `GET /v1/events` stream writes events and treats a client that falls behind (the stream's body
/// alone, without a server: what a server would send is what its buffer holds).
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

    @Test func aLiveStreamSendsOnlyTheNamedEventsOnceAndDropsAClientWhoseBufferIsFull() {
        let body = HTTPBodyStream(capacity: 400)
        let stream = EventStream(body: body, names: ["provisioner.backed"], replaying: false)
        #expect(stream.take([Self.event(1), Self.event(2, "provisioner.backed")]) == .taken)
        // A batch seen before (ids up to 2) is not sent again.
        #expect(stream.take([Self.event(2, "provisioner.backed")]) == .taken)
        let expected = EventStream.message([Self.event(2, "provisioner.backed")])
        #expect(body.bufferedByteCount == expected.count)
        var verdict = EventStream.Verdict.taken
        var id: Int64 = 3
        while verdict == .taken, id < 100 {
            verdict = stream.take([Self.event(id, "provisioner.backed")])
            id += 1
        }
        #expect(verdict == .fellBehind)
        #expect(body.bufferedByteCount <= 400)
        #expect(stream.take([Self.event(id, "provisioner.backed")]) == .closed)
    }

    @Test func eventsArrivingDuringAReplayWaitInABacklogAsBoundedAsTheBuffer() {
        let body = HTTPBodyStream(capacity: 100)
        let stream = EventStream(body: body, names: nil, replaying: true)
        var verdicts: [EventStream.Verdict] = []
        for id in 1...20 { verdicts.append(stream.take([Self.event(Int64(id))])) }
        // Nothing is sent while replaying; the client is dropped once the backlog passes the buffer's size.
        #expect(verdicts.prefix(14).allSatisfy { $0 == .taken })
        #expect(verdicts.contains(.fellBehind))
        #expect(body.bufferedByteCount == 0)
        #expect(body.send([1]) == .closed)
    }
}
