import CompactJSON
import Foundation

/// An HTTP response: complete, or with a body streamed after it (``stream``).
///
/// `Content-Length` is set by the server from `body` (a streamed body is sent chunked instead); `Date` and
/// `Connection` are MHD's.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The header fields to send.
    public var headers: HTTPHeaders
    /// The body to send (sent as given; MHD leaves it out for `HEAD`).
    public var body: [UInt8]
    /// The route pattern that produced this response (e.g. `/v1/leaves/{hash}`), set by ``Router`` and used
    /// only as a metrics label; never sent.
    public var routePattern: String?
    /// A body that goes on after the answer (see ``HTTPBodyStream``); `body` is then ignored.
    public var stream: HTTPBodyStream?

    public init(status: Int = 200, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `value` as JSON (`application/json`), keys sorted, slashes not escaped. If `value` cannot be encoded,
    /// the answer is a 500 problem instead.
    ///
    /// The bytes are Foundation's; ``CompactJSONEncoder`` writes them when it covers the value (answers
    /// are on every request's path), Foundation's encoder otherwise.
    public static func json(_ value: some Encodable, status: Int = 200) -> HTTPResponse {
        guard let body = try? CompactJSONEncoder.sortedKeysJSON(value) else { return .problem(.internalError) }
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    /// `problem` as `application/problem+json`, with its status.
    public static func problem(_ problem: ProblemDetails) -> HTTPResponse {
        var response = json(problem, status: problem.status)
        response.headers["Content-Type"] = "application/problem+json"
        return response
    }

    /// The answer for a thrown ``HTTPError``: its problem plus its extra headers.
    public static func error(_ error: some HTTPError) -> HTTPResponse {
        var response = problem(error.problem)
        for (name, value) in error.headers { response.headers[name] = value }
        return response
    }

    /// `stream` as the body, sent as it is written (chunked).
    public static func stream(_ stream: HTTPBodyStream, status: Int = 200, headers: HTTPHeaders) -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: headers)
        response.stream = stream
        return response
    }

    /// 204 No Content.
    public static func noContent() -> HTTPResponse { HTTPResponse(status: 204) }

    /// `text` as UTF-8 with the given content type (default `text/plain; charset=utf-8`).
    public static func text(
        _ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8"
    ) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }
}
