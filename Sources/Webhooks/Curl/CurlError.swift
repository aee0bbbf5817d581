internal import CCurl

/// A failed HTTP exchange through libcurl, or a request that never ran.
///
/// Every `CURLcode` and `CURLMcode` becomes one of these in ``CurlError/check(_:message:)`` and
/// ``CurlError/checkMulti(_:)``, the only places that compare curl result codes. Equatable on ``kind``
/// only, so that tests can match the condition without curl's wording.
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// An easy-interface error: the raw `CURLcode` (e.g. 7 couldn't connect, 28 timed out).
        case easy(code: Int)
        /// A multi-interface error: the raw `CURLMcode`.
        case multi(code: Int)
        /// The response body passed the request's size cap.
        case responseTooLarge
        /// The calling task was cancelled; the transfer was removed.
        case cancelled
        /// The client was shut down before or during the request.
        case shutdown
    }

    /// The condition.
    public let kind: Kind
    /// curl's own explanation (its error buffer, or `curl_easy_strerror`), or ours.
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public static func == (lhs: CurlError, rhs: CurlError) -> Bool { lhs.kind == rhs.kind }

    public var description: String {
        switch kind {
        case .easy(let code): "curl error \(code): \(message)"
        case .multi(let code): "curl multi error \(code): \(message)"
        case .responseTooLarge, .cancelled, .shutdown: message
        }
    }

    /// The request ran out of time (connect or total timeout).
    public var isTimeout: Bool { kind == .easy(code: Int(CURLE_OPERATION_TIMEDOUT.rawValue)) }

    /// No connection could be made (refused, unreachable, name not resolved).
    public var isConnectFailure: Bool {
        switch kind {
        case .easy(let code):
            [CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY].contains {
                Int($0.rawValue) == code
            }
        default: false
        }
    }

    static let cancelled = CurlError(kind: .cancelled, message: "the request was cancelled")
    static let shutdown = CurlError(kind: .shutdown, message: "the HTTP client is shut down")

    /// Turns an easy-interface result into a Swift error.
    /// - Parameter message: curl's error buffer for this transfer, when it has one.
    /// - Throws: ``CurlError`` for every code but `CURLE_OK`.
    static func check(_ code: CURLcode, message: String? = nil) throws(CurlError) {
        guard code != CURLE_OK else { return }
        let text = message.flatMap { $0.isEmpty ? nil : $0 } ?? String(cString: curl_easy_strerror(code))
        throw CurlError(kind: .easy(code: Int(code.rawValue)), message: text)
    }

    /// Turns a multi-interface result into a Swift error.
    /// - Throws: ``CurlError`` for every code but `CURLM_OK`.
    static func checkMulti(_ code: CURLMcode) throws(CurlError) {
        guard code != CURLM_OK else { return }
        throw CurlError(kind: .multi(code: Int(code.rawValue)), message: String(cString: curl_multi_strerror(code)))
    }
}
