import Testing

@testable import Webhooks

@Suite(.timeLimit(.minutes(1)))
struct CurlClientTests {
    @Test func getReturnsStatusHeadersAndBody() async throws {
        let receiver = try TestReceiver { request, _ in
            .json("{\"path\":\"\(request.path)\"}", status: 201)
        }
        defer { receiver.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let response = try await client.send(CurlRequest(url: receiver.url + "/v1/things?x=1"))

        #expect(response.status == 201)
        #expect(response.header("content-type") == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"path\":\"/v1/things?x=1\"}")
        #expect(receiver.requests.first?.method == "GET")
    }

    @Test func postSendsBodyAndHeaders() async throws {
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        let client = CurlClient()
        defer { client.shutdown() }
        let body = [UInt8]((0..<5000).map { UInt8($0 & 0x7f) })

        let response = try await client.send(
            CurlRequest(method: "POST", url: receiver.url + "/hook", headers: [("X-Test", "yes")], body: body))

        #expect(response.status == 200)
        let request = try #require(receiver.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/hook")
        #expect(request.header("x-test") == "yes")
        #expect(request.body == body)
        #expect(request.header("expect") == nil)
    }

    @Test func manyConcurrentRequestsAllComplete() async throws {
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        let client = CurlClient(maxConnections: 8)
        defer { client.shutdown() }

        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<100 {
                group.addTask { try await client.send(CurlRequest(url: receiver.url + "/\(index)")).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }

        #expect(statuses.count == 100)
        #expect(statuses.allSatisfy { $0 == 200 })
    }

    @Test func slowServerTimesOut() async throws {
        let receiver = try TestReceiver { _, _ in .hang }
        defer { receiver.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await #expect(throws: CurlError.self) {
            try await client.send(CurlRequest(url: receiver.url, timeout: .milliseconds(200)))
        }
        #expect(error?.isTimeout == true)
    }

    @Test func refusedConnectionThrows() async throws {
        let receiver = try TestReceiver()
        let url = receiver.url
        receiver.stop()
        let client = CurlClient()
        defer { client.shutdown() }

        let error = await #expect(throws: CurlError.self) {
            try await client.send(CurlRequest(url: url))
        }
        #expect(error?.isConnectFailure == true)
    }

    @Test func oversizedResponseIsRefused() async throws {
        let receiver = try TestReceiver { _, _ in TestResponse(status: 200, body: [UInt8](repeating: 1, count: 10_000))
        }
        defer { receiver.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        await #expect(throws: CurlError(kind: .responseTooLarge, message: "")) {
            try await client.send(CurlRequest(url: receiver.url, maxResponseBytes: 1000))
        }
    }

    @Test func cancellingTheTaskAbandonsTheTransfer() async throws {
        let receiver = try TestReceiver { _, _ in .hang }
        defer { receiver.stop() }
        let client = CurlClient()
        defer { client.shutdown() }

        let task = Task { try await client.send(CurlRequest(url: receiver.url, timeout: .seconds(30))) }
        await receiver.waitForRequests(1)
        task.cancel()

        await #expect(throws: CurlError(kind: .cancelled, message: "")) { try await task.value }
    }

    @Test func requestsAfterShutdownFail() async throws {
        let client = CurlClient()
        client.shutdown()

        await #expect(throws: CurlError(kind: .shutdown, message: "")) {
            try await client.send(CurlRequest(url: "http://127.0.0.1:1/"))
        }
    }
}
