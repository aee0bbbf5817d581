import Foundation
import HTTPServer
import Testing

/// The budget of buffered request bodies over all connections (`maxInflightBytes`): a body that does not
/// fit is answered 503 with `Retry-After`, before it is read when its length is declared and as soon as it
/// passes the budget when chunked; what completed requests held is given back.
@Suite(.timeLimit(.minutes(1)))
struct BodyBudgetTests {
    static let configuration = HTTPServerConfiguration(maxBodySize: 4_096, maxInflightBytes: 6_000)

    static var router: Router {
        var router = Router(logger: quietLogger)
        router.add(.post, "/echo", accepts: nil, echo)
        return router
    }

    /// Waits until the server holds `bytes` of bodies (what a connection sent has been read).
    func waitUntil(_ server: HTTPServer, holds bytes: Int) async throws {
        for _ in 0..<500 where server.bufferedBodyBytes != bytes { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.bufferedBodyBytes == bytes)
    }

    static func chunk(_ count: Int) -> String {
        String(count, radix: 16) + "\r\n" + String(repeating: "a", count: count) + "\r\n"
    }

    @Test func bodiesBeyondTheBudgetGet503WithRetryAfterAndTheBudgetIsGivenBack() async throws {
        try await withServer(Self.configuration, responder: Self.router) { server in
            let port = server.port
            // A: a chunked body of which 3,000 bytes arrived; it stays open.
            let a = try await RawHTTPClient.onThread {
                let client = try RawHTTPClient(port: port)
                try client.send(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + Self.chunk(3_000))
                return client
            }
            try await waitUntil(server, holds: 3_000)

            // B: declares 4,000 bytes, within the body limit but not the budget: 503 before its body is read.
            let b = try await RawHTTPClient.onThread {
                let client = try RawHTTPClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n")
                return try client.readResponse()
            }
            #expect(b.status == 503)
            #expect(b.headers["retry-after"] == "1")
            #expect(b.headers["content-type"] == "application/problem+json")
            #expect(server.bufferedBodyBytes == 3_000)

            // C: chunked, 2,000 bytes fit, 2,000 more do not: 503 as soon as it passes, its bytes given back.
            let c = try await RawHTTPClient.onThread {
                let client = try RawHTTPClient(port: port)
                try client.send(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + Self.chunk(2_000))
                return client
            }
            try await waitUntil(server, holds: 5_000)
            let cAnswer = try await RawHTTPClient.onThread {
                try c.send(Self.chunk(2_000))
                return try c.readResponse()
            }
            #expect(cAnswer.status == 503)
            #expect(cAnswer.headers["retry-after"] == "1")
            try await waitUntil(server, holds: 3_000)

            // A finishes: answered, and once complete its bytes are given back.
            let aAnswer = try await RawHTTPClient.onThread {
                try a.send("0\r\n\r\n")
                return try a.readResponse(method: "POST")
            }
            #expect(aAnswer.status == 200)
            #expect(try JSONDecoder().decode(Echo.self, from: Data(aAnswer.body)).body.count == 3_000)
            try await waitUntil(server, holds: 0)

            // The budget free again, a 4,000-byte body is accepted.
            let body = [UInt8](repeating: UInt8(ascii: "y"), count: 4_000)
            let d = try await RawHTTPClient.fetch(port: port, "POST", "/echo", body: body)
            #expect(d.status == 200)
            try await waitUntil(server, holds: 0)
        }
    }
}
