import Backing
import Foundation
import Glibc
import HTTPServer
import Logging
import MetricsTestKit
import Primitives
import Synchronization
import TestSupport
import Testing
import Webhooks

@testable import BackingService

/// `GET /v1/events` streams over real HTTP on loopback, fed by a real outbox on a real SQLite file: the
/// switch from replay to live while commits go on, the client that falls behind, the limit of streams.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct EventStreamsTests {
    /// An outbox without web-hook URLs, the streams over it, and a server answering `GET /v1/events` with them.
    final class Harness: Sendable {
        let directory: URL
        let client = CurlClient()
        let outbox: WebhookOutbox
        let metrics = TestMetrics()
        let streams: EventStreams
        let server: HTTPServer

        init(settings: EventStreams.Settings) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("event-streams-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var logger = Logger(label: "EventStreamsTests")
            logger.logLevel = .critical
            outbox = try WebhookOutbox(
                path: directory.appendingPathComponent("outbox.sqlite").path,
                configuration: WebhookConfiguration(subscriptions: []), client: client, logger: logger)
            let streams = EventStreams(outbox: outbox, settings: settings, metricsFactory: metrics, logger: logger)
            self.streams = streams
            var router = Router()
            router.add(.get, "/v1/events", accepts: nil) { request in
                try streams.open(
                    names: try EventRoutes.eventNames(request.query["events"]),
                    after: try EventRoutes.lastEventID(request))
            }
            server = HTTPServer(configuration: HTTPServerConfiguration(), responder: router, logger: logger)
            try server.start()
        }

        var baseURL: String { "http://127.0.0.1:\(server.port)" }

        /// Commits `count` `availability.stored` messages numbered from `first`, `batch` per commit.
        func commit(from first: Int, count: Int, batch: Int) async throws {
            for start in stride(from: first, to: first + count, by: batch) {
                outbox.submit((start..<min(start + batch, first + count)).map { Messages.numbered($0) }, journal: [])
                try await outbox.flush()
            }
        }

        func stop() async {
            await server.shutdown()
            await outbox.shutdown()
            client.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    enum Messages {
        static func numbered(_ n: Int) -> OutboundMessage {
            .availabilityStored(candidateHash: CandidateHash(repeating: 1), nValidators: n, erasureRoot: .zero)
        }
    }

    @Test func resumingWhileCommitsGoOnSwitchesFromReplayToLiveWithoutAGapOrADuplicate() async throws {
        // A small replay page, so that the replay takes several reads while commits land in between.
        let harness = try Harness(settings: EventStreams.Settings(replayPage: 16))
        try await harness.commit(from: 0, count: 200, batch: 5)
        let resumeAfter = try #require(try await harness.outbox.events(after: 0, names: nil, limit: 1000)[49].id)

        async let committing: Void = harness.commit(from: 200, count: 600, batch: 3)
        let client = try await EventStreamClient(
            baseURL: harness.baseURL, headers: ["Last-Event-ID": "\(resumeAfter)"])
        try await committing
        let expected = try await harness.outbox.events(after: resumeAfter, names: nil, limit: 10_000)
        #expect(expected.count == 750)
        let received = await client.waitForMessages(expected.count)
        #expect(received.map(\.id) == expected.map(\.id))
        #expect(received.map(\.data) == expected.map { String(decoding: $0.body, as: UTF8.self) })
        client.disconnect()
        await harness.stop()
    }

    @Test func aStalledClientIsDisconnectedAndCountedWhileAReaderCatchesUpOnBurstsLargerThanItsBuffer() async throws {
        let harness = try Harness(
            settings: EventStreams.Settings(bufferCapacity: 16 << 10, stallLimit: .milliseconds(500)))
        let reader = try await EventStreamClient(baseURL: harness.baseURL)
        // Reads the head, then nothing: the kernel's buffers fill, then the stream's 16 KiB.
        let sleeper = try RawSocket(port: harness.server.port)
        try sleeper.send("GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n")
        let open = try harness.metrics.expectGauge("backingd_event_streams_open")
        while harness.streams.count < 2 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(open.lastValue == 2)

        // Commits of 500 events (about 100 KB), each far more than a client's buffer.
        let dropped = try harness.metrics.expectCounter("backingd_event_stream_clients_dropped_total")
        var committed = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while dropped.totalValue == 0, ContinuousClock.now < deadline {
            try await harness.commit(from: committed, count: 500, batch: 500)
            committed += 500
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(dropped.totalValue == 1, "after \(committed) events")
        while harness.streams.count > 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(harness.streams.count == 1)
        #expect(open.lastValue == 1)
        // The client that reads gets every event once, in order, though no commit fitted in its buffer.
        let logged = try await harness.outbox.events(after: 0, names: nil, limit: 1_000_000)
        let received = await reader.waitForMessages(committed)
        #expect(received.map(\.id) == logged.map(\.id))
        reader.disconnect()
        await harness.stop()
    }

    @Test func streamsPastTheLimitAreAnswered503WithRetryAfter() async throws {
        let harness = try Harness(settings: EventStreams.Settings(heartbeat: .milliseconds(50), limit: 1))
        let first = try await EventStreamClient(baseURL: harness.baseURL)
        #expect(first.status == 200)
        let refused = try await EventStreamClient(baseURL: harness.baseURL)
        #expect(refused.status == 503)
        #expect(refused.headers["retry-after"] == "5")
        first.disconnect()
        // The server notices the client is gone at the next heartbeat.
        let deadline = ContinuousClock.now + .seconds(10)
        while harness.streams.count > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let again = try await EventStreamClient(baseURL: harness.baseURL)
        #expect(again.status == 200)
        again.disconnect()
        refused.disconnect()
        await harness.stop()
    }
}

/// A loopback connection that sends a request and then never reads, with a small receive buffer.
final class RawSocket: Sendable {
    let fd: Int32

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var size: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw EventStreamClient.ClientError("cannot connect: errno \(errno)")
        }
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw EventStreamClient.ClientError("cannot send") }
    }
}
