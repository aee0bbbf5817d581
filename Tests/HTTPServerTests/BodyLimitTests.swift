import Foundation
import HTTPServer
import Testing

@Suite(.timeLimit(.minutes(1)))
struct BodyLimitTests {
    static let limit = 1024
    static let configuration = HTTPServerConfiguration(maxBodySize: limit)

    static var router: Router {
        var router = Router(logger: quietLogger)
        router.add(.post, "/echo", accepts: nil, echo)
        return router
    }

    @Test func aDeclaredLengthOverTheLimitIs413BeforeAnyBodyIsSent() async throws {
        try await withServer(Self.configuration, responder: Self.router) { server in
            let response = try await RawHTTPClient.onThread {
                let client = try RawHTTPClient(port: server.port)
                // Declares 1 GiB and sends none of it: the answer must come without the body being read.
                try client.send(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n"
                )
                return try client.readResponse()
            }
            #expect(response.status == 413)
            #expect(response.headers["content-type"] == "application/problem+json")
            let problem = try JSONDecoder().decode(ProblemDetails.self, from: Data(response.body))
            #expect(problem == .contentTooLarge(limit: Self.limit))
        }
    }

    @Test func anExpect100ContinueRequestOverTheLimitGets413InsteadOfContinue() async throws {
        try await withServer(Self.configuration, responder: Self.router) { server in
            let response = try await RawHTTPClient.onThread {
                let client = try RawHTTPClient(port: server.port)
                try client.send(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n")
                return try client.readResponse()
            }
            #expect(response.status == 413)
        }
    }

    @Test func aChunkedBodyPassingTheLimitIs413AsSoonAsItPasses() async throws {
        try await withServer(Self.configuration, responder: Self.router) { server in
            let response = try await RawHTTPClient.onThread {
                let client = try RawHTTPClient(port: server.port)
                try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                let chunk = String(repeating: "a", count: 600)
                try client.send("258\r\n\(chunk)\r\n")  // 600 bytes: under the limit
                try client.send("258\r\n\(chunk)\r\n")  // 1,200 in total: over it
                // The body is not finished (no last chunk), yet the answer arrives.
                return try client.readResponse()
            }
            #expect(response.status == 413)
            #expect(response.headers["content-type"] == "application/problem+json")
            #expect(try JSONDecoder().decode(ProblemDetails.self, from: Data(response.body)).status == 413)
        }
    }

    @Test func aChunkedBodyWithinTheLimitReachesTheHandler() async throws {
        try await withServer(Self.configuration, responder: Self.router) { server in
            let response = try await RawHTTPClient.onThread {
                let client = try RawHTTPClient(port: server.port)
                try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                try client.send("5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n")
                return try client.readResponse()
            }
            #expect(response.status == 200)
            #expect(try JSONDecoder().decode(Echo.self, from: Data(response.body)).body == "hello world")
        }
    }

    @Test func aBodyOfExactlyTheLimitIsAccepted() async throws {
        try await withServer(Self.configuration, responder: Self.router) { server in
            let body = [UInt8](repeating: UInt8(ascii: "x"), count: Self.limit)
            let response = try await RawHTTPClient.fetch(port: server.port, "POST", "/echo", body: body)
            #expect(response.status == 200)
            #expect(try JSONDecoder().decode(Echo.self, from: Data(response.body)).body.count == Self.limit)
            let over = try await RawHTTPClient.fetch(port: server.port, "POST", "/echo", body: body + [1])
            #expect(over.status == 413)
        }
    }
}
