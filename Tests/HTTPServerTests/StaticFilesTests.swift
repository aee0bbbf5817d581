import Foundation
import HTTPServer
import Testing

@Suite(.timeLimit(.minutes(1)))
struct StaticFilesTests {
    /// A `Public/` folder with a page, a script and a stylesheet, next to a secret that must stay unreachable.
    static func makeSite() throws -> URL {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("static-\(UUID().uuidString)")
        let site = base.appendingPathComponent("Public")
        try FileManager.default.createDirectory(
            at: site.appendingPathComponent("js"), withIntermediateDirectories: true)
        try Data("<h1>backingd</h1>".utf8).write(to: site.appendingPathComponent("index.html"))
        try Data("console.log(1)".utf8).write(to: site.appendingPathComponent("js/app.js"))
        try Data("body{}".utf8).write(to: site.appendingPathComponent("style.css"))
        try Data("password".utf8).write(to: base.appendingPathComponent("secret.txt"))
        try FileManager.default.createSymbolicLink(
            at: site.appendingPathComponent("link.txt"), withDestinationURL: base.appendingPathComponent("secret.txt"))
        return site
    }

    static func router(serving site: URL) -> Router {
        var router = Router(logger: quietLogger)
        router.add(.get, "/healthz", accepts: nil) { _ in .json(["status": "ok"]) }
        router.fallback(StaticFiles(root: site))
        return router
    }

    @Test func filesAreServedWithTheirContentTypes() async throws {
        let site = try Self.makeSite()
        try await withServer(responder: Self.router(serving: site)) { server in
            let index = try await RawHTTPClient.fetch(port: server.port, "GET", "/")
            #expect(index.status == 200)
            #expect(index.headers["content-type"] == "text/html; charset=utf-8")
            #expect(index.text == "<h1>backingd</h1>")
            let script = try await RawHTTPClient.fetch(port: server.port, "GET", "/js/app.js")
            #expect(script.headers["content-type"] == "text/javascript; charset=utf-8")
            let style = try await RawHTTPClient.fetch(port: server.port, "GET", "/style.css")
            #expect(style.headers["content-type"] == "text/css; charset=utf-8")
            let route = try await RawHTTPClient.fetch(port: server.port, "GET", "/healthz")
            #expect(route.text == #"{"status":"ok"}"#)
        }
    }

    @Test(arguments: ["/../secret.txt", "/js/../../secret.txt", "/%2e%2e/secret.txt", "/link.txt", "/missing.html"])
    func nothingOutsideTheFolderIsReachable(path: String) async throws {
        let site = try Self.makeSite()
        try await withServer(responder: Self.router(serving: site)) { server in
            let response = try await RawHTTPClient.fetch(port: server.port, "GET", path)
            #expect(response.status == 404)
            #expect(response.headers["content-type"] == "application/problem+json")
            #expect(!response.text.contains("password"))
        }
    }

    @Test func onlyGetAndHeadAreServed() async throws {
        let site = try Self.makeSite()
        try await withServer(responder: Self.router(serving: site)) { server in
            let response = try await RawHTTPClient.fetch(port: server.port, "POST", "/index.html", body: [1])
            #expect(response.status == 405)
            #expect(response.headers["allow"] == "GET, HEAD")
        }
    }
}
