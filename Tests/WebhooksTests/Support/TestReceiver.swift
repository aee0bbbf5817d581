import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A request the receiver got.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    var headers: [String: String]  // lowercased names
    var body: [UInt8]

    func header(_ name: String) -> String? { headers[name.lowercased()] }
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
}

/// What the receiver answers.
struct TestResponse: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    /// Never answer; the connection is held until the receiver stops.
    var hang = false
    /// Answer 200 with a body that never ends, as a hostile peer would (instead of `body`).
    var stream: HostileBody?

    /// Bodies that never end.
    enum HostileBody: Sendable {
        /// Declares a 1 MB JSON body, then sends one byte every `interval`.
        case drip(Duration)
        /// A chunked JSON body of 64 KiB chunks, as fast as the client reads.
        case endless
    }

    static func status(_ status: Int) -> TestResponse { TestResponse(status: status) }
    static func json(_ text: String, status: Int = 200) -> TestResponse {
        TestResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
    }
    static let hang = TestResponse(status: 0, hang: true)
    static func hostile(_ body: HostileBody) -> TestResponse { TestResponse(status: 200, stream: body) }
    /// 302 to `location` (the receiver's own URL makes a loop).
    static func redirect(to location: String) -> TestResponse {
        TestResponse(status: 302, headers: [("Location", location)])
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 for tests: records every request and answers from a script.
///
/// Concurrency: one accepting thread plus one thread per connection (plain POSIX sockets); shared
/// state sits in a Mutex. Waiting for requests is event driven; the timeout is only a safety net.
final class TestReceiver: Sendable {
    typealias Responder = @Sendable (_ request: RecordedRequest, _ index: Int) -> TestResponse

    private struct State {
        var requests: [RecordedRequest] = []
        var waiters: [(id: Int, count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var nextWaiter = 0
        var connections: Set<Int32> = []
        var stopped = false
        var hostileBytesSent = 0
    }

    let port: UInt16
    private let listener: Int32
    private let responder: Responder
    private let state = Mutex(State())
    private let release = DispatchSemaphore(value: 0)

    /// Listens on `port` (0 = any free port) and answers with `responder`.
    init(port: UInt16 = 0, responder: @escaping Responder = { _, _ in .status(200) }) throws {
        let (fd, bound) = try bindLoopback(port: port)
        guard listen(fd, 128) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        self.port = bound
        self.listener = fd
        self.responder = responder
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// A responder answering the n-th request (over all paths) with `statuses[n]`, the last one repeated.
    static func statuses(_ statuses: [Int]) -> Responder {
        { _, index in .status(statuses[min(index, statuses.count - 1)]) }
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [RecordedRequest] { state.withLock { $0.requests } }

    /// Returns once at least `count` requests arrived, or after `timeout` (a safety net only).
    @discardableResult
    func waitForRequests(_ count: Int, timeout: Duration = .seconds(20)) async -> [RecordedRequest] {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        let safetyNet = Task { [self] in
            try? await Task.sleep(for: timeout)
            let waiter = state.withLock { state in
                let index = state.waiters.firstIndex { $0.id == id }
                return index.map { state.waiters.remove(at: $0).continuation }
            }
            waiter?.resume()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.requests.count >= count { return true }
                state.waiters.append((id, count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
        safetyNet.cancel()
        return requests
    }

    /// Closes the listener and every connection; the port refuses connections afterwards.
    func stop() {
        let connections = state.withLock { state in
            state.stopped = true
            return state.connections
        }
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        for fd in connections { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
        for _ in 0..<64 { release.signal() }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                break
            }
            let accepted = state.withLock { state in
                if state.stopped { return false }
                state.connections.insert(fd)
                return true
            }
            guard accepted else {
                close(fd)
                break
            }
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(fd) }
            thread.start()
        }
        close(listener)
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        defer {
            state.withLock { _ = $0.connections.remove(fd) }
            close(fd)
        }
        while let request = readRequest(fd, &buffer) {
            let index = state.withLock { $0.requests.count }
            let response = responder(request, index)
            record(request)
            if response.hang {
                release.wait()
                return
            }
            if let stream = response.stream {
                streamForever(fd, stream)
                return
            }
            guard write(fd, response) else { return }
        }
    }

    private func record(_ request: RecordedRequest) {
        let ready = state.withLock { state in
            state.requests.append(request)
            let count = state.requests.count
            let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
            state.waiters.removeAll { $0.count <= count }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> RecordedRequest? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while true {
            if let end = buffer.firstRange(of: separator)?.upperBound {
                headerEnd = end
                break
            }
            guard receive(fd, &buffer) else { return nil }
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let requestLine = lines.first?.split(separator: " ") ?? []
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < headerEnd + length {
            guard receive(fd, &buffer) else { return nil }
        }
        let body = Array(buffer[headerEnd..<(headerEnd + length)])
        buffer.removeFirst(headerEnd + length)
        return RecordedRequest(
            method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func receive(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    /// Sends a body that never ends until the client goes away or the receiver stops; counts what went.
    private func streamForever(_ fd: Int32, _ body: TestResponse.HostileBody) {
        func sendAll(_ bytes: [UInt8]) -> Bool {
            guard sendEveryByte(fd, bytes) else { return false }
            state.withLock { $0.hostileBytesSent += bytes.count }
            return true
        }
        switch body {
        case .drip(let interval):
            let (seconds, attoseconds) = interval.components
            let micros = UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
            guard
                sendAll(
                    Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{".utf8))
            else { return }
            while !state.withLock({ $0.stopped }), sendAll([UInt8(ascii: " ")]) { usleep(micros) }
        case .endless:
            guard
                sendAll(
                    Array(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
            else { return }
            let chunk =
                Array("10000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 0x10000) + Array("\r\n".utf8)
            while !state.withLock({ $0.stopped }), sendAll(chunk) {}
        }
    }

    /// Bytes sent so far in bodies that never end (headers included).
    var hostileBytesSent: Int { state.withLock { $0.hostileBytesSent } }

    private func write(_ fd: Int32, _ response: TestResponse) -> Bool {
        var head = "HTTP/1.1 \(response.status) Status\r\nContent-Length: \(response.body.count)\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        return sendEveryByte(fd, Array((head + "\r\n").utf8) + response.body)
    }
}

/// A loopback port held without listening: connections to it are refused, and no other test's receiver
/// can take it while it is held (a port merely freed can be handed to the next socket that asks).
final class PortReservation: Sendable {
    let port: UInt16
    private let fd: Int32

    init() throws { (fd, port) = try bindLoopback(port: 0) }

    /// Frees the port for the receiver that is to start on it next.
    func release() { close(fd) }
}

/// A TCP socket bound to 127.0.0.1:`port` (0: a free port), not listening yet, and the port it got.
private func bindLoopback(port: UInt16) throws -> (fd: Int32, port: UInt16) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else {
        close(fd)
        throw POSIXError(.EADDRINUSE)
    }
    return (fd, UInt16(bigEndian: address.sin_port))
}

/// Sends every byte (blocking); `false` once the peer is gone.
private func sendEveryByte(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var sent = 0
    while sent < bytes.count {
        let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard count > 0 else { return false }
        sent += count
    }
    return true
}
