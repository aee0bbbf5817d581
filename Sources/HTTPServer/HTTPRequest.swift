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
        guard var contentType = headers["content-type"] else { return nil }
        // The router asks this of every request with a body. ASCII values (every real one) are cut, trimmed
        // and lowercased byte by byte; the general path below splits by grapheme, which cost more than all
        // the routing around it.
        let asciiType = contentType.withUTF8 { bytes -> String? in
            guard HTTPHeaders.isASCII(bytes) else { return nil }
            let end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
            guard let first = bytes[..<end].firstIndex(where: { !Self.isBlank(Unicode.Scalar($0)) }),
                let last = bytes[..<end].lastIndex(where: { !Self.isBlank(Unicode.Scalar($0)) })
            else { return "" }
            let type = bytes[first...last]
            return String(unsafeUninitializedCapacity: type.count) { buffer in
                for (offset, byte) in type.enumerated() { buffer[offset] = HTTPHeaders.asciiLowercased(byte) }
                return type.count
            }
        }
        let type =
            asciiType
            ?? Self.trimmingBlanks(
                contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            ).lowercased()
        return type.isEmpty ? nil : type
    }

    /// Whether the request carries a body (non-empty, or declared by `Content-Length`/`Transfer-Encoding`).
    public var hasBody: Bool {
        if !body.isEmpty || headers["transfer-encoding"] != nil { return true }
        if let length = headers["content-length"], let count = Int(Self.trimmingBlanks(Substring(length))) {
            return count > 0
        }
        return false
    }

    /// `text` without leading and trailing blanks: tab and the space separators (what Foundation's
    /// `CharacterSet.whitespaces` holds).
    private static func trimmingBlanks(_ text: Substring) -> Substring {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isBlank($0) }),
            let last = scalars.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return Substring(scalars[first...last])
    }

    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t"
            || (scalar.value >= 0x80 && scalar.properties.generalCategory == .spaceSeparator)
    }
}
