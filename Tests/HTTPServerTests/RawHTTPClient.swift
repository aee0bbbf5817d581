import Foundation
import Glibc

/// A parsed HTTP response as the test client read it.
struct ClientResponse: Sendable {
    var status: Int
    var headers: [String: String]  // lowercased names
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
    }
}

enum ClientError: Error {
    case connect(Int32)
    case closed
    case malformed(String)
}

/// A tiny blocking HTTP/1.1 client over a loopback TCP socket, for exact control of what goes on the wire
/// (huge declared lengths, chunked bodies, keep-alive). Its blocking calls run on their own threads, never on
/// the Swift concurrency pool, so the server's handler tasks always have threads to run on.
final class RawHTTPClient: @unchecked Sendable {
    // Safe because each client is used by one test at a time, from one thread at a time (`onThread` awaits).
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 20, tv_usec: 0)  // a safety net, not synchronisation
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 {
            close(fd)
            throw ClientError.connect(errno)
        }
    }

    deinit { close(fd) }

    /// Runs `body` on a fresh thread and returns its result.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw ClientError.closed }
            offset += sent
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Sends a request with `Content-Length` (when there is a body) and reads the response.
    func request(
        _ method: String, _ target: String, headers: [String: String] = [:], body: [UInt8] = []
    ) throws -> ClientResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try send(Array(head.utf8) + body)
        return try readResponse(method: method)
    }

    /// Reads one response; the body is `Content-Length` bytes (none for HEAD, 204 and 304), else up to close.
    func readResponse(method: String = "GET") throws -> ClientResponse {
        var response = try readHead()
        if method == "HEAD" || response.status == 204 || response.status == 304 { return response }
        if let length = response.headers["content-length"].flatMap(Int.init) {
            while buffer.count < length {
                if try !fill() { throw ClientError.closed }
            }
            response.body = Array(buffer[..<length])
            buffer.removeFirst(length)
        } else {
            while try fill() {}
            response.body = buffer
            buffer = []
        }
        return response
    }

    /// Reads the status line and the headers only, leaving the body (e.g. a streamed one) to be read on.
    func readHead() throws -> ClientResponse {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while buffer.firstRange(of: separator) == nil {
            if try !fill() { throw ClientError.closed }
        }
        guard let end = buffer.firstRange(of: separator)?.upperBound else { throw ClientError.closed }
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeFirst(end)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ClientError.malformed(head) }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return ClientResponse(status: status, headers: headers, body: [])
    }

    /// Reads until `marker` has arrived and returns what was read up to its end (raw: chunk sizes included).
    func read(through marker: String) throws -> String {
        let needle = Array(marker.utf8)
        while buffer.firstRange(of: needle) == nil {
            if try !fill() { throw ClientError.closed }
        }
        guard let end = buffer.firstRange(of: needle)?.upperBound else { throw ClientError.closed }
        defer { buffer.removeFirst(end) }
        return String(decoding: buffer[..<end], as: UTF8.self)
    }

    /// Shrinks the socket's receive buffer (before anything is read), so that a client that does not read
    /// pushes back on the server after little data.
    func shrinkReceiveBuffer(to bytes: Int32) {
        var size = bytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Closes the connection from the client's side.
    func disconnect() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Whether the server closed the connection (reads until EOF or error).
    func isClosedByServer() -> Bool {
        (try? fill()) != true
    }

    /// Reads more bytes into the buffer; false at EOF.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw ClientError.closed }
        if count == 0 { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }
}

extension RawHTTPClient {
    /// One request on a fresh connection, off the concurrency pool.
    static func fetch(
        port: UInt16, _ method: String, _ target: String, headers: [String: String] = [:], body: [UInt8] = []
    ) async throws -> ClientResponse {
        try await onThread {
            try RawHTTPClient(port: port).request(method, target, headers: headers, body: body)
        }
    }
}
