import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal HTTP/1.1 sink on 127.0.0.1 (the test receiver, trimmed): answers every request with
/// 200 and counts them. One accepting thread plus one thread per connection.
final class BenchReceiver: Sendable {
    let port: UInt16
    private let listener: Int32
    private let received = Atomic<Int>(0)

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard fd >= 0, bound == 0, listen(fd, 128) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        Thread { [self] in
            while case let connection = accept(listener, nil, nil), connection >= 0 {
                var yes: Int32 = 1
                setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
                Thread { [self] in serve(connection) }.start()
            }
        }.start()
    }

    var count: Int { received.load(ordering: .relaxed) }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

    /// Reads requests off `fd` and answers each with 200. Byte-level parsing (no strings) and a read
    /// offset instead of removing consumed bytes: the sink should cost far less than what it measures.
    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var start = 0
        var end = 0
        let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
        while true {
            // Answer every complete request in the buffer.
            while let (headEnd, length) = Self.request(in: buffer, from: start, to: end), headEnd + length <= end {
                start = headEnd + length
                received.add(1, ordering: .relaxed)
                guard reply.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) > 0 else {
                    return
                }
            }
            if start == end {
                start = 0
                end = 0
            } else if end == buffer.count {
                // Move the partial request to the front (grow if it fills the buffer by itself).
                buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
                end -= start
                start = 0
                if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + end, $0.count - end, 0) }
            guard count > 0 else { return }
            end += count
        }
    }

    /// Where the head of the request starting at `from` ends and its Content-Length, once the head is
    /// complete.
    private static func request(in buffer: [UInt8], from: Int, to: Int) -> (headEnd: Int, length: Int)? {
        let name = Array("content-length:".utf8)
        var index = from
        var lineStart = from
        var length = 0
        while index + 1 < to {
            guard buffer[index] == 0x0D, buffer[index + 1] == 0x0A else {
                index += 1
                continue
            }
            if index == lineStart { return (index + 2, length) }  // the empty line ends the head
            if index - lineStart > name.count,
                zip(buffer[lineStart..<(lineStart + name.count)], name).allSatisfy({ $0 | 0x20 == $1 })
            {
                length = 0
                for byte in buffer[(lineStart + name.count)..<index] where byte >= 0x30 && byte <= 0x39 {
                    length = length * 10 + Int(byte - 0x30)
                }
            }
            index += 2
            lineStart = index
        }
        return nil
    }
}
