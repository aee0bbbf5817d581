import CMicroHTTPD
import Glibc

/// A libmicrohttpd call that failed, with `errno` as MHD left it.
///
/// Every MHD result that can fail goes through ``MHDError/check(_:_:)`` (or is built here for calls that
/// return `NULL`), so there is one place that turns MHD failures into Swift errors.
public struct MHDError: Error, Sendable, CustomStringConvertible {
    /// The MHD function that failed, e.g. `"MHD_queue_response"`.
    public let operation: String
    /// `errno` right after the call (0 when MHD did not set it).
    public let errno: Int32

    /// The failure of `operation` as of now (reads `errno`).
    init(_ operation: String) {
        self.operation = operation
        self.errno = Glibc.errno
    }

    public var description: String {
        errno == 0 ? "\(operation) failed" : "\(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }

    /// Throws unless `result` is `.YES`.
    static func check(_ result: MHD_Result, _ operation: String) throws(MHDError) {
        if result != .YES { throw MHDError(operation) }
    }
}

/// Why ``HTTPServer/start()`` failed.
public enum HTTPServerError: Error, Sendable, CustomStringConvertible {
    /// `host` is not an IPv4 or IPv6 literal (or `localhost`).
    case invalidHost(String)
    /// The daemon could not start listening on `host:port` (port in use, address not local, …).
    case cannotListen(host: String, port: UInt16, underlying: MHDError)
    /// `start()` was called on a server that is running or was shut down.
    case notStartable

    public var description: String {
        switch self {
        case .invalidHost(let host): "“\(host)” is not an IP address to listen on"
        case .cannotListen(let host, let port, let underlying): "cannot listen on \(host):\(port): \(underlying)"
        case .notStartable: "the server was already started"
        }
    }
}
