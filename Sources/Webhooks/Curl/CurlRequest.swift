/// One HTTP request for ``CurlClient``.
public struct CurlRequest: Sendable {
    /// `GET`, `POST`, or any other method name.
    public var method: String
    /// The absolute URL (`http://127.0.0.1:9000/hook`).
    public var url: String
    /// Header fields in order, sent as given.
    public var headers: [(String, String)]
    /// The request body; sent for every method but `GET` and `HEAD` when not empty.
    public var body: [UInt8]
    /// The limit for the whole exchange, connecting included.
    public var timeout: Duration
    /// The limit for establishing the connection.
    public var connectTimeout: Duration
    /// A response body larger than this fails the request with ``CurlError/Kind/responseTooLarge``.
    public var maxResponseBytes: Int

    public init(
        method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8] = [],
        timeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5), maxResponseBytes: Int = 16 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// The answer to a ``CurlRequest``: any HTTP status counts as an answer, not an error.
public struct CurlResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Header fields of the final response, in order, names as sent.
    public var headers: [(String, String)]
    /// The response body.
    public var body: [UInt8]

    /// The media type of `Content-Type` (lowercased, without parameters), `nil` when the header is absent.
    public var mediaType: String? {
        headers.last { $0.0.lowercased() == "content-type" }.map {
            $0.1.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        }
    }

    /// Whether the body may be read as JSON: `application/json`, a `+json` type, or no `Content-Type`
    /// at all (a bare tool's answer); a peer that names another type is not guessed at.
    public var isJSON: Bool {
        guard let type = mediaType else { return true }
        return type == "application/json" || type.hasSuffix("+json")
    }

    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 for a positive duration (curl treats 0 as "no limit").
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return self > .zero ? max(1, Int(ms)) : 0
    }
}
