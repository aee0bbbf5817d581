/// An HTTP request method, such as `GET`, kept as its uppercase token.
///
/// Methods compare by their uppercase spelling, so `HTTPMethod("get") == .get`.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method token in uppercase, e.g. `"POST"`.
    public let rawValue: String

    /// Creates a method from its token; the token is uppercased.
    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }

    /// Creates a method from its token; the token is uppercased.
    public init(_ token: String) { self.init(rawValue: token) }

    public var description: String { rawValue }

    public static let get = HTTPMethod("GET")
    public static let head = HTTPMethod("HEAD")
    public static let post = HTTPMethod("POST")
    public static let put = HTTPMethod("PUT")
    public static let patch = HTTPMethod("PATCH")
    public static let delete = HTTPMethod("DELETE")
    public static let options = HTTPMethod("OPTIONS")
}
