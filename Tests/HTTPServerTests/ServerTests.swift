import Foundation
import Glibc
import HTTPServer
import MetricsTestKit
import Testing

@Suite(.timeLimit(.minutes(1)))
struct ServerTests {
    static var router: Router {
        var router = Router(logger: quietLogger)
        router.add(.get, "/v1/leaves/{hash}", accepts: nil, echo)
        router.add(.post, "/echo", accepts: nil, echo)
        return router
    }

    @Test func portZeroBindsAFreePortThatIsReadBack() async throws {
        try await withServer(responder: Self.router) { server in
            #expect(server.port != 0)
            let response = try await RawHTTPClient.fetch(port: server.port, "GET", "/v1/leaves/0x01")
            #expect(response.status == 200)
        }
    }

    @Test func aTakenPortFailsToStartWithAnErrorNamingTheAddress() async throws {
        try await withServer(responder: Self.router) { first in
            let second = HTTPServer(
                configuration: HTTPServerConfiguration(port: first.port), responder: Self.router, logger: quietLogger)
            #expect {
                try second.start()
            } throws: { error in
                guard case .cannotListen(let host, let port, _) = error as? HTTPServerError else { return false }
                return host == "127.0.0.1" && port == first.port && "\(error)".contains("127.0.0.1:\(first.port)")
            }
        }
    }

    @Test func aHostThatIsNoIPAddressIsRefused() {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "no such host"), responder: Self.router, logger: quietLogger)
        #expect(throws: HTTPServerError.self) { try server.start() }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withServer(responder: Self.router) { server in
            let statuses = try await RawHTTPClient.onThread {
                let client = try RawHTTPClient(port: server.port)
                return try (0..<5).map { index in
                    let response = try client.request("POST", "/echo", body: Array("n\(index)".utf8))
                    return "\(response.status) \(try JSONDecoder().decode(Echo.self, from: Data(response.body)).body)"
                }
            }
            #expect(statuses == ["200 n0", "200 n1", "200 n2", "200 n3", "200 n4"])
        }
    }

    @Test func twoHundredConcurrentRequestsAreAllAnswered() async throws {
        try await withServer(responder: Self.router) { server in
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let response = try await RawHTTPClient.fetch(
                            port: server.port, "POST", "/echo", body: Array("request \(index)".utf8))
                        return try JSONDecoder().decode(Echo.self, from: Data(response.body)).body
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(bodies == Set((0..<200).map { "request \($0)" }))
        }
    }

    @Test func aThousandConcurrentConnectionsAreHeldNotDropped() async throws {
        try await withServer(responder: Self.router) { server in
            let answered = try await RawHTTPClient.onThread {
                // All connections are open (and have sent a request) before any answer is read.
                let clients = try (0..<1_000).map { _ in try RawHTTPClient(port: server.port) }
                for (index, client) in clients.enumerated() {
                    try client.send("GET /v1/leaves/\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
                }
                return try clients.filter { try $0.readResponse().status == 200 }.count
            }
            #expect(answered == 1_000)
        }
    }

    @Test func aSlowHandlerDoesNotHoldUpOthersEvenWithOneMHDThread() async throws {
        let started = Gate()
        let release = Gate()
        var router = Self.router
        router.add(.get, "/slow", accepts: nil) { _ in
            await started.open()
            await release.wait()
            return .json(["slow": true])
        }
        try await withServer(HTTPServerConfiguration(threadPoolSize: 1), responder: router) { server in
            async let slow = RawHTTPClient.fetch(port: server.port, "GET", "/slow")
            await started.wait()
            for index in 0..<20 {
                let response = try await RawHTTPClient.fetch(port: server.port, "GET", "/v1/leaves/\(index)")
                #expect(response.status == 200)
            }
            await release.open()
            #expect(try await slow.text == #"{"slow":true}"#)
        }
    }

    @Test func anInlineRouteAnswersWhetherOrNotItsHandlerSuspends() async throws {
        let started = Gate()
        let release = Gate()
        var router = Self.router
        router.add(.post, "/inline", accepts: nil, inline: true, echo)
        router.add(.get, "/inline/suspending", accepts: nil, inline: true) { _ in
            await started.open()
            await release.wait()
            return .json(["suspended": true])
        }
        try await withServer(HTTPServerConfiguration(threadPoolSize: 1), responder: router) { server in
            let statuses = try await RawHTTPClient.onThread {
                let client = try RawHTTPClient(port: server.port)
                return try (0..<3).map { try client.request("POST", "/inline", body: Array("n\($0)".utf8)).status }
            }
            #expect(statuses == [200, 200, 200])
            // Its handler suspended on the gate: the one MHD thread goes on serving others meanwhile.
            async let suspending = RawHTTPClient.fetch(port: server.port, "GET", "/inline/suspending")
            await started.wait()
            let other = try await RawHTTPClient.fetch(port: server.port, "POST", "/inline", body: Array("x".utf8))
            #expect(try JSONDecoder().decode(Echo.self, from: Data(other.body)).body == "x")
            await release.open()
            #expect(try await suspending.text == #"{"suspended":true}"#)
        }
    }

    @Test func shutdownLetsAnInFlightRequestFinish() async throws {
        let started = Gate()
        let release = Gate()
        var router = Self.router
        router.add(.get, "/slow", accepts: nil) { _ in
            await started.open()
            await release.wait()
            return .json(["finished": true])
        }
        let server = HTTPServer(configuration: HTTPServerConfiguration(), responder: router, logger: quietLogger)
        try server.start()
        let port = server.port
        async let slow = RawHTTPClient.fetch(port: port, "GET", "/slow")
        await started.wait()
        let shutdown = Task { await server.shutdown() }
        await release.open()
        let response = try await slow
        #expect(response.status == 200)
        #expect(response.text == #"{"finished":true}"#)
        await shutdown.value
        #expect(throws: ClientError.self) { try RawHTTPClient(port: port) }
    }

    @Test func shutdownDoesNotHangOnAHandlerThatNeverFinishes() async throws {
        let started = Gate()
        let never = Gate()
        var router = Self.router
        router.add(.get, "/stuck", accepts: nil) { _ in
            await started.open()
            await never.wait()
            return .noContent()
        }
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(shutdownGracePeriod: .milliseconds(200)), responder: router,
            logger: quietLogger)
        try server.start()
        async let stuck = RawHTTPClient.fetch(port: server.port, "GET", "/stuck")
        await started.wait()
        await server.shutdown()
        let response = try await stuck
        #expect(response.status == 503)
        #expect(response.headers["content-type"] == "application/problem+json")
        await never.open()  // lets the abandoned handler task end
    }

    @Test func requestsAreCountedAndTimedByRoutePattern() async throws {
        let metrics = TestMetrics()
        try await withServer(responder: Self.router, metricsFactory: metrics) { server in
            _ = try await RawHTTPClient.fetch(port: server.port, "GET", "/v1/leaves/0x01")
            _ = try await RawHTTPClient.fetch(port: server.port, "GET", "/v1/leaves/0x02")
            _ = try await RawHTTPClient.fetch(port: server.port, "GET", "/elsewhere")
        }
        let ok = try metrics.expectCounter(
            "backingd_http_requests_total", [("method", "GET"), ("route", "/v1/leaves/{hash}"), ("status", "200")])
        #expect(ok.totalValue == 2)
        let missing = try metrics.expectCounter(
            "backingd_http_requests_total", [("method", "GET"), ("route", "unmatched"), ("status", "404")])
        #expect(missing.totalValue == 1)
        let timer = try metrics.expectTimer(
            "backingd_http_request_duration_seconds", [("method", "GET"), ("route", "/v1/leaves/{hash}")])
        #expect(timer.values.count == 2)
        let inFlight = try metrics.expectGauge("backingd_http_requests_in_flight")
        #expect(inFlight.lastValue == 0)
    }
}
