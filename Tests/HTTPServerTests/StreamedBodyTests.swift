import Foundation
import HTTPServer
import Synchronization
import Testing

/// Streamed bodies (``HTTPBodyStream``, what `GET /v1/events` answers with) over real HTTP on loopback:
/// sent as written, bounded for a client that does not read, closed when the client goes away or the server
/// stops, and holding a connection but no thread.
@Suite(.timeLimit(.minutes(1)))
struct StreamedBodyTests {
    /// The streams the `/stream` route answered with, for the test to write into.
    final class Streams: Sendable {
        let opened = Mutex<[HTTPBodyStream]>([])
        let capacity: Int

        init(capacity: Int = 1 << 20) { self.capacity = capacity }

        var router: Router {
            var router = Router()
            router.add(.get, "/stream", accepts: nil) { _ in
                let stream = HTTPBodyStream(capacity: self.capacity)
                self.opened.withLock { $0.append(stream) }
                return .stream(stream, headers: ["Content-Type": "text/event-stream"])
            }
            router.add(.get, "/plain", accepts: nil) { _ in .text("plain") }
            return router
        }

        /// The `index`th stream opened, once it is.
        func stream(_ index: Int = 0) async throws -> HTTPBodyStream {
            while true {
                if let stream = opened.withLock({ $0.count > index ? $0[index] : nil }) { return stream }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    /// Waits (a bounded time) until `stream` is closed; says whether it is.
    static func closed(_ stream: HTTPBodyStream, within limit: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while !stream.isClosed, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        return stream.isClosed
    }

    @Test func aStreamedBodyIsSentChunkedAsItIsWrittenAndEndsWhenFinished() async throws {
        let streams = Streams()
        try await withServer(responder: streams.router) { server in
            let client = try RawHTTPClient(port: server.port)
            let head = try await RawHTTPClient.onThread {
                try client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
                return try client.readHead()
            }
            #expect(head.status == 200)
            #expect(head.headers["transfer-encoding"] == "chunked")
            #expect(head.headers["content-type"] == "text/event-stream")
            let stream = try await streams.stream()
            let closeCalls = Atomic<Int>(0)
            stream.onClose { closeCalls.add(1, ordering: .relaxed) }

            // Each piece arrives while the stream stays open (the connection waits suspended in between).
            for piece in ["first piece", "second piece"] {
                #expect(stream.send(Array(piece.utf8)) == .queued)
                let read = try await RawHTTPClient.onThread { try client.read(through: piece) }
                #expect(read.contains(piece))
            }
            stream.finish()
            #expect(stream.send(Array("late".utf8)) == .closed)
            // The chunked body's last chunk.
            _ = try await RawHTTPClient.onThread { try client.read(through: "0\r\n\r\n") }
            #expect(try await Self.closed(stream))
            #expect(closeCalls.load(ordering: .relaxed) == 1)
        }
    }

    @Test func aClientThatDoesNotReadIsDisconnectedOnceItsBufferIsFullNotBufferedWithoutBound() async throws {
        let streams = Streams(capacity: 64 << 10)
        try await withServer(responder: streams.router) { server in
            let client = try RawHTTPClient(port: server.port)
            client.shrinkReceiveBuffer(to: 4096)
            _ = try await RawHTTPClient.onThread {
                try client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
                return try client.readHead()
            }
            let stream = try await streams.stream()
            let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 16 << 10)
            var sent = 0
            var result = HTTPBodyStream.SendResult.queued
            // The kernel's socket buffers take some megabytes; then the stream's 64 KiB fill and it overflows.
            while result == .queued, sent < 256 << 20 {
                result = stream.send(piece)
                if result == .queued { sent += piece.count }
                if sent % (1 << 20) == 0 { try await Task.sleep(for: .milliseconds(1)) }
            }
            #expect(result == .overflowed, "sent \(sent) bytes")
            #expect(stream.bufferedByteCount <= 64 << 10)
            #expect(try await Self.closed(stream))
            #expect(stream.send(piece) == .closed)
        }
    }

    @Test func aClientThatWentAwayClosesItsStreamAtTheNextSend() async throws {
        let streams = Streams()
        try await withServer(responder: streams.router) { server in
            let client = try RawHTTPClient(port: server.port)
            _ = try await RawHTTPClient.onThread {
                try client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
                return try client.readHead()
            }
            let stream = try await streams.stream()
            client.disconnect()
            // While suspended the connection does not see the client go; a send (a heartbeat) shows it.
            let deadline = ContinuousClock.now + .seconds(10)
            while !stream.isClosed, ContinuousClock.now < deadline {
                _ = stream.send(Array(": heartbeat\n\n".utf8))
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(stream.isClosed)
        }
    }

    @Test func openStreamsHoldNoThreadEvenWithOneMHDThread() async throws {
        let streams = Streams()
        try await withServer(HTTPServerConfiguration(threadPoolSize: 1), responder: streams.router) { server in
            let clients = try (0..<50).map { _ in try RawHTTPClient(port: server.port) }
            try await RawHTTPClient.onThread {
                for client in clients {
                    try client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
                    _ = try client.readHead()
                }
            }
            for index in 0..<20 {
                let response = try await RawHTTPClient.fetch(port: server.port, "GET", "/plain")
                #expect(response.status == 200, "request \(index)")
            }
            // And every stream still delivers.
            for index in 0..<50 {
                #expect(try await streams.stream(index).send(Array("ping \(index)\n".utf8)) == .queued)
            }
            let all = try await RawHTTPClient.onThread {
                try clients.enumerated().allSatisfy { index, client in
                    try client.read(through: "ping \(index)\n").contains("ping \(index)")
                }
            }
            #expect(all)
        }
    }

    @Test func shutdownEndsOpenStreamsWithoutWaitingForTheGracePeriod() async throws {
        let streams = Streams()
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(shutdownGracePeriod: .seconds(30)), responder: streams.router,
            logger: quietLogger)
        try server.start()
        let client = try RawHTTPClient(port: server.port)
        _ = try await RawHTTPClient.onThread {
            try client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            return try client.readHead()
        }
        let stream = try await streams.stream()
        #expect(stream.send(Array("before the stop\n".utf8)) == .queued)
        let started = ContinuousClock.now
        await server.shutdown()
        #expect(ContinuousClock.now - started < .seconds(5))
        // What was sent before the stop still arrives, then the body ends.
        let rest = try await RawHTTPClient.onThread { try client.read(through: "0\r\n\r\n") }
        #expect(rest.contains("before the stop"))
        #expect(stream.isClosed)
    }
}
