import Foundation
import HTTPServer
import Testing

@Suite(.timeLimit(.minutes(1)))
struct RouterTests {
    static let token = "s3cret-token"

    static var router: Router {
        var router = Router(authToken: token, logger: quietLogger)
        router.add(.get, "/v1/leaves", accepts: nil, echo)
        router.add(.post, "/v1/leaves", mutating: true, echo)
        router.add(.get, "/v1/leaves/{hash}", accepts: nil, echo)
        router.add(.delete, "/v1/leaves/{hash}", accepts: nil, mutating: true) { _ in .noContent() }
        router.add(.post, "/v1/statements/{id}", echo)
        router.add(.post, "/v1/statements/batch") { _ in .json(["batch": true]) }
        router.add(.put, "/v1/validation-code", accepts: ["application/wasm", "application/json"], echo)
        router.add(.get, "/search", accepts: nil, echo)
        router.add(.get, "/teapot", accepts: nil) { _ in
            throw ProblemDetails(slug: "teapot", title: "Teapot", status: 418, detail: "Short and stout.")
        }
        router.add(.get, "/boom", accepts: nil) { _ in
            throw CocoaError(.fileReadCorruptFile, userInfo: ["secret": "db-password"])
        }
        return router
    }

    @Test func pathParametersReachTheHandler() async throws {
        try await withServer(responder: Self.router) { server in
            let response = try await RawHTTPClient.fetch(port: server.port, "GET", "/v1/leaves/0xabc")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let echo = try JSONDecoder().decode(Echo.self, from: Data(response.body))
            #expect(echo.path == "/v1/leaves/0xabc")
            #expect(echo.parameters == ["hash": "0xabc"])
        }
    }

    @Test func aLiteralSegmentBeatsAParameter() async throws {
        try await withServer(responder: Self.router) { server in
            let batch = try await RawHTTPClient.fetch(
                port: server.port, "POST", "/v1/statements/batch", headers: ["Content-Type": "application/json"],
                body: jsonBody("{}"))
            #expect(batch.text == #"{"batch":true}"#)
            let one = try await RawHTTPClient.fetch(
                port: server.port, "POST", "/v1/statements/7", headers: ["Content-Type": "application/json"],
                body: jsonBody("{}"))
            #expect(try JSONDecoder().decode(Echo.self, from: Data(one.body)).parameters == ["id": "7"])
        }
    }

    @Test func queryParametersArePercentDecodedAndTheLastRepeatWins() async throws {
        try await withServer(responder: Self.router) { server in
            let response = try await RawHTTPClient.fetch(
                port: server.port, "GET", "/search?status=pending&limit=5&note=hello%20world&limit=10&flag")
            let echo = try JSONDecoder().decode(Echo.self, from: Data(response.body))
            #expect(echo.query == ["status": "pending", "limit": "10", "note": "hello world", "flag": ""])
            #expect(echo.path == "/search")
        }
    }

    @Test func anUnknownPathIsA404Problem() async throws {
        try await withServer(responder: Self.router) { server in
            let response = try await RawHTTPClient.fetch(port: server.port, "GET", "/nowhere")
            #expect(response.status == 404)
            #expect(response.headers["content-type"] == "application/problem+json")
            let problem = try JSONDecoder().decode(ProblemDetails.self, from: Data(response.body))
            #expect(problem.status == 404)
            #expect(problem.type == "urn:backingd:problem:not-found")
            #expect(problem.detail.contains("/nowhere"))
        }
    }

    @Test func aKnownPathWithTheWrongMethodIs405ListingTheAllowedMethods() async throws {
        try await withServer(responder: Self.router) { server in
            let response = try await RawHTTPClient.fetch(port: server.port, "PATCH", "/v1/leaves")
            #expect(response.status == 405)
            #expect(response.headers["allow"] == "GET, HEAD, POST")
            #expect(response.headers["content-type"] == "application/problem+json")
            #expect(try JSONDecoder().decode(ProblemDetails.self, from: Data(response.body)).status == 405)
        }
    }

    @Test func aBodyOfAnUnacceptedMediaTypeIs415() async throws {
        try await withServer(responder: Self.router) { server in
            let response = try await RawHTTPClient.fetch(
                port: server.port, "POST", "/v1/statements/1", headers: ["Content-Type": "text/plain"],
                body: jsonBody("{}"))
            #expect(response.status == 415)
            #expect(response.headers["content-type"] == "application/problem+json")
            let missing = try await RawHTTPClient.fetch(
                port: server.port, "POST", "/v1/statements/1", body: jsonBody("{}"))
            #expect(missing.status == 415)
        }
    }

    @Test func mediaTypeParametersAndCaseAreIgnored() async throws {
        try await withServer(responder: Self.router) { server in
            let response = try await RawHTTPClient.fetch(
                port: server.port, "POST", "/v1/statements/1",
                headers: ["Content-Type": "Application/JSON; charset=utf-8"], body: jsonBody("{}"))
            #expect(response.status == 200)
            let wasm = try await RawHTTPClient.fetch(
                port: server.port, "PUT", "/v1/validation-code", headers: ["Content-Type": "application/wasm"],
                body: [0, 0x61, 0x73, 0x6d])
            #expect(wasm.status == 200)
        }
    }

    @Test func aMutatingRouteNeedsTheBearerToken() async throws {
        try await withServer(responder: Self.router) { server in
            let headers = ["Content-Type": "application/json"]
            let missing = try await RawHTTPClient.fetch(
                port: server.port, "POST", "/v1/leaves", headers: headers, body: jsonBody("{}"))
            #expect(missing.status == 401)
            #expect(missing.headers["www-authenticate"] == "Bearer")
            #expect(missing.headers["content-type"] == "application/problem+json")
            let wrong = try await RawHTTPClient.fetch(
                port: server.port, "DELETE", "/v1/leaves/0x01", headers: ["Authorization": "Bearer s3cret-tokeN"])
            #expect(wrong.status == 401)
            let right = try await RawHTTPClient.fetch(
                port: server.port, "POST", "/v1/leaves",
                headers: headers.merging(["Authorization": "Bearer \(Self.token)"]) { $1 }, body: jsonBody("{}"))
            #expect(right.status == 200)
            let reading = try await RawHTTPClient.fetch(port: server.port, "GET", "/v1/leaves")
            #expect(reading.status == 200)
        }
    }

    @Test func withoutAConfiguredTokenMutatingRoutesAreOpen() async throws {
        var router = Router(logger: quietLogger)
        router.add(.delete, "/v1/leaves/{hash}", accepts: nil, mutating: true) { _ in .noContent() }
        try await withServer(responder: router) { server in
            let response = try await RawHTTPClient.fetch(port: server.port, "DELETE", "/v1/leaves/0x01")
            #expect(response.status == 204)
        }
    }

    @Test func anHTTPErrorBecomesItsProblem() async throws {
        try await withServer(responder: Self.router) { server in
            let response = try await RawHTTPClient.fetch(port: server.port, "GET", "/teapot")
            #expect(response.status == 418)
            #expect(response.headers["content-type"] == "application/problem+json")
            #expect(
                try JSONDecoder().decode(ProblemDetails.self, from: Data(response.body))
                    == ProblemDetails(slug: "teapot", title: "Teapot", status: 418, detail: "Short and stout."))
        }
    }

    @Test func anyOtherErrorIsA500ThatLeaksNothing() async throws {
        try await withServer(responder: Self.router) { server in
            let response = try await RawHTTPClient.fetch(port: server.port, "GET", "/boom")
            #expect(response.status == 500)
            #expect(response.headers["content-type"] == "application/problem+json")
            #expect(try JSONDecoder().decode(ProblemDetails.self, from: Data(response.body)) == .internalError)
            #expect(!response.text.contains("db-password"))
            #expect(!response.text.contains("CocoaError"))
        }
    }

    @Test func headIsServedByTheGetHandlerWithoutABody() async throws {
        try await withServer(responder: Self.router) { server in
            let response = try await RawHTTPClient.onThread {
                let client = try RawHTTPClient(port: server.port)
                let head = try client.request("HEAD", "/v1/leaves/0x01")
                // The connection stays usable: no stray body bytes follow the HEAD answer.
                let get = try client.request("GET", "/v1/leaves/0x02")
                return (head, get)
            }
            #expect(response.0.status == 200)
            #expect(response.0.headers["content-type"] == "application/json")
            #expect(response.1.status == 200)
            #expect(try JSONDecoder().decode(Echo.self, from: Data(response.1.body)).parameters == ["hash": "0x02"])
        }
    }

    @Test func routesListsEveryRegisteredRoute() {
        let routes = Self.router.routes.map { "\($0.method) \($0.pattern)" }
        #expect(routes.contains("GET /v1/leaves/{hash}"))
        #expect(routes.contains("DELETE /v1/leaves/{hash}"))
        #expect(routes.count == 10)
    }
}
