import Foundation
import Glibc
import Synchronization

/// A `GET /v1/events` client over a plain loopback socket, as `curl -N` or an `EventSource` would be: it
/// de-chunks the body and parses Server-Sent Events as they arrive. Its blocking reads run on a thread of
/// its own, never on the Swift concurrency pool.
public final class EventStreamClient: Sendable {
    /// One SSE message.
    public struct Message: Sendable, Equatable, CustomStringConvertible {
        public let id: Int64
        public let event: String
        /// The `data:` lines joined with `\n` (one line for every backingd event).
        public let data: String
        /// How many `data:` lines the message had.
        public let dataLines: Int

        public var description: String { "\(id) \(event)" }
    }

    private struct Received {
        var messages: [Message] = []
        var comments: [String] = []
        /// Lines of the message being read.
        var pending: [String] = []
        /// The server ended the body or closed the connection.
        var ended = false
    }

    public let status: Int
    public let headers: [String: String]
    private let socket: Int32
    private let received = Mutex(Received())

    /// Connects to `baseURL` (`http://127.0.0.1:PORT`), asks for `target` with `headers`, reads the answer's
    /// head, and from then on reads the stream on its own thread (which holds the client until the stream
    /// ends: ``disconnect()`` when done).
    public init(baseURL: String, target: String = "/v1/events", headers: [String: String] = [:]) async throws {
        guard let url = URL(string: baseURL), let port = url.port else { throw ClientError("bad base URL \(baseURL)") }
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        // A safety net for the reading thread, so that it ends even if the server never does.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw ClientError("cannot connect to \(baseURL): errno \(errno)")
        }
        var request = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        socket = fd
        let (status, headers, rest) = try await Self.onThread { try Self.readHead(fd) }
        self.status = status
        self.headers = headers
        Thread { self.readBody(startingWith: rest) }.start()
    }

    deinit { close(socket) }

    /// Closes the connection from the client's side (the server notices at its next write).
    public func disconnect() { shutdown(socket, Int32(SHUT_RDWR)) }

    public var messages: [Message] { received.withLock { $0.messages } }
    public var comments: [String] { received.withLock { $0.comments } }
    public var ended: Bool { received.withLock { $0.ended } }
    /// The last id received (what `Last-Event-ID` resumes after).
    public var lastID: Int64? { messages.last?.id }

    /// Waits until at least `count` messages arrived (or `timeout` passed); returns them all.
    public func waitForMessages(_ count: Int, timeout: Duration = .seconds(20)) async -> [Message] {
        _ = await waitUntil(timeout: timeout) { $0.count >= count || self.ended }
        return messages
    }

    /// Waits until `condition` holds of the messages (or `timeout` passed, or the test is cancelled); says
    /// whether it does.
    public func waitUntil(timeout: Duration = .seconds(20), _ condition: ([Message]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition(messages) {
            guard ContinuousClock.now < deadline else { return false }
            do { try await Task.sleep(for: .milliseconds(5)) } catch { return condition(messages) }
        }
        return true
    }

    public struct ClientError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    // MARK: - Reading (on the client's thread)

    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    private static func receive(_ fd: Int32) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(chunk[..<count]) : nil
    }

    private static func readHead(_ fd: Int32) throws -> (Int, [String: String], [UInt8]) {
        var buffer: [UInt8] = []
        let separator = Array("\r\n\r\n".utf8)
        while buffer.firstRange(of: separator) == nil {
            guard let more = receive(fd) else { throw ClientError("connection closed before the answer's head") }
            buffer += more
        }
        let end = buffer.firstRange(of: separator)!.upperBound
        var lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n").filter {
            !$0.isEmpty
        }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ClientError("bad status line") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return (status, headers, Array(buffer[end...]))
    }

    /// De-chunks the body and parses the events until the body ends or the connection closes.
    private func readBody(startingWith first: [UInt8]) {
        let fd = socket
        var raw = first
        var text: [UInt8] = []
        defer { received.withLock { $0.ended = true } }
        while true {
            // Every complete chunk in `raw` goes to `text`.
            while let lineEnd = raw.firstRange(of: Array("\r\n".utf8)) {
                let sizeText = String(decoding: raw[..<lineEnd.lowerBound], as: UTF8.self)
                guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else { return }
                guard raw.count >= lineEnd.upperBound + size + 2 else { break }
                if size == 0 { return }
                text += raw[lineEnd.upperBound..<lineEnd.upperBound + size]
                raw.removeFirst(lineEnd.upperBound + size + 2)
            }
            // Every complete line of `text` is parsed.
            while let newline = text.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: text[..<newline], as: UTF8.self)
                text.removeFirst(newline + 1)
                received.withLock { Self.parse(line, into: &$0) }
            }
            guard let more = Self.receive(fd) else { return }
            raw += more
        }
    }

    private static func parse(_ line: String, into received: inout Received) {
        if line.isEmpty {
            let fields = received.pending
            received.pending = []
            var id: Int64?
            var event = "message"
            var data: [String] = []
            for field in fields {
                let (name, value) = split(field)
                switch name {
                case "id": id = Int64(value)
                case "event": event = value
                case "data": data.append(value)
                default: break
                }
            }
            if let id {
                received.messages.append(
                    Message(id: id, event: event, data: data.joined(separator: "\n"), dataLines: data.count))
            }
        } else if line.hasPrefix(":") {
            received.comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
        } else {
            received.pending.append(line)
        }
    }

    /// `name: value` (one space after the colon is not part of the value).
    private static func split(_ field: String) -> (String, String) {
        guard let colon = field.firstIndex(of: ":") else { return (field, "") }
        var value = field[field.index(after: colon)...]
        if value.first == " " { value = value.dropFirst() }
        return (String(field[..<colon]), String(value))
    }
}
