import Foundation

/// A complete HTTP request: the body has been read (up to the server's body limit) before a responder sees it.
public struct HTTPRequest: Sendable {
    /// The request method.
    public let method: HTTPMethod
    /// The percent-decoded path without the query, e.g. `"/v1/leaves/0xabc"`.
    public let path: String
    /// The percent-decoded query parameters; when a name repeats, the last value wins.
    public let query: [String: String]
    /// The request header fields.
    public let headers: HTTPHeaders
    /// The request body (empty when there is none).
    public let body: [UInt8]
    /// The values of the `{name}` segments of the matched route pattern; filled by ``Router``.
    public var pathParameters: [String: String]

    public init(
        method: HTTPMethod, path: String, query: [String: String] = [:], headers: HTTPHeaders = [:],
        body: [UInt8] = [], pathParameters: [String: String] = [:]
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.pathParameters = pathParameters
    }

    /// The media type of the body, lowercased and without parameters (`"application/json"` for
    /// `Application/JSON; charset=utf-8`), or `nil` when the request names none.
    public var mediaType: String? {
        guard let contentType = headers["content-type"] else { return nil }
        let type = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = type.trimmingCharacters(in: .whitespaces).lowercased()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Whether the request carries a body (non-empty, or declared by `Content-Length`/`Transfer-Encoding`).
    public var hasBody: Bool {
        if !body.isEmpty || headers["transfer-encoding"] != nil { return true }
        if let length = headers["content-length"], let count = Int(length.trimmingCharacters(in: .whitespaces)) {
            return count > 0
        }
        return false
    }
}
