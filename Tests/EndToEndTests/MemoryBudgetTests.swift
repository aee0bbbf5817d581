import Foundation
import Glibc
import Synchronization
import Testing
import Webhooks

/// Issue 15, item 3, against the real binary: the budget of buffered request bodies holds under a flood.
/// Runs in its own phase of `make test` (with the devnets), as its thousand connections would stretch the
/// timed bounds of the unit suites.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct MemoryBudgetTests {
    static let budget = 64 << 20
    static let connections = 1_000
    static let chunk = 32 << 10
    static let rounds = 24

    /// What the flood did, from the client's side.
    struct Flood: Sendable {
        var accepted = 0
        var refused503 = 0
        var bytesSent = 0
    }

    /// 1,000 connections stream large bodies slowly (half with `Content-Length: 4,000,000`, half chunked),
    /// 32 KiB per connection every 50 ms, 750 MiB offered in all, against a 64 MiB budget. The node's RSS
    /// stays under its baseline + the budget + 64 MiB, refusals are 503s, and the node answers throughout
    /// and takes bodies again once the flood ends.
    @Test func aThousandConnectionsStreamingLargeBodiesSlowlyStayWithinTheBudget() async throws {
        let node = BackingdProcess(arguments: [
            "--dev", "--max-inflight-bytes", "\(Self.budget)", "--max-body", "\(4 << 20)",
        ])
        try await node.start()
        let curl = CurlClient()
        defer { curl.shutdown() }
        let api = APIClient(baseURL: node.baseURL, client: curl)
        let port = try #require(UInt16(node.baseURL.split(separator: ":").last ?? ""))
        #expect(try await api.get("/healthz").status == 200)
        try await Task.sleep(for: .milliseconds(500))
        let baseline = try #require(node.residentBytes)

        let peak = Atomic<Int>(baseline)
        let sampling = Task {
            while !Task.isCancelled {
                if let now = node.residentBytes { peak.max(now, ordering: .relaxed) }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        // The flood blocks on sockets: it runs on a thread of its own, off the cooperative pool.
        let flood = await withCheckedContinuation { (continuation: CheckedContinuation<Flood, Never>) in
            Thread.detachNewThread { continuation.resume(returning: Self.flood(port: port)) }
        }
        // The node answered while the flood held its connections open (checked between rounds), and
        // answers now.
        #expect(try await api.get("/healthz").status == 200)
        sampling.cancel()
        let grown = peak.load(ordering: .relaxed) - baseline
        print(
            "memory budget: baseline RSS \(baseline >> 20) MiB, peak +\(grown >> 20) MiB under \(Self.connections) "
                + "connections offering \(flood.bytesSent >> 20) MiB; \(flood.refused503) answered 503, "
                + "\(flood.accepted) otherwise")
        #expect(grown < Self.budget + (64 << 20), "RSS grew by \(grown >> 20) MiB")
        #expect(flood.refused503 > Self.connections / 2, "the budget refused only \(flood.refused503)")
        #expect(flood.bytesSent > 4 * Self.budget, "the flood offered only \(flood.bytesSent >> 20) MiB")
        // Every reservation was given back: a leaf (a body) is taken again.
        let leaf = try await api.send("POST", "/v1/leaves", body: Array(#"{"hash": 1}"#.utf8))
        #expect(leaf.status == 400, "\(leaf.text)")
        #expect(await node.stop() == 0)
    }

    /// Opens the connections, streams the bodies round by round without blocking (a socket the node does
    /// not read stays full), then reads what each got back.
    static func flood(port: UInt16) -> Flood {
        var result = Flood()
        var sockets: [(fd: Int32, chunked: Bool)] = []
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        for i in 0..<connections {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { break }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                close(fd)
                continue
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            let chunked = i % 2 == 1
            let head =
                "POST /v1/statements HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: 4000000\r\n\r\n")
            _ = send(fd, head, head.utf8.count, Int32(MSG_NOSIGNAL))
            sockets.append((fd, chunked))
        }
        let payload = [UInt8](repeating: UInt8(ascii: " "), count: chunk)
        let chunkHead = Array((String(chunk, radix: 16) + "\r\n").utf8)
        var open = Set(sockets.indices)
        for _ in 0..<rounds {
            for index in open {
                let (fd, chunked) = sockets[index]
                let bytes = chunked ? chunkHead + payload + Array("\r\n".utf8) : payload
                let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
                if sent > 0 {
                    result.bytesSent += sent
                } else if sent < 0, errno != EAGAIN, errno != EWOULDBLOCK {
                    open.remove(index)  // answered and closed by the node
                }
            }
            usleep(50_000)
        }
        for (fd, _) in sockets {
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n > 0 {
                let text = String(decoding: buffer[0..<n], as: UTF8.self)
                if text.hasPrefix("HTTP/1.1 503") { result.refused503 += 1 } else { result.accepted += 1 }
            }
            close(fd)
        }
        return result
    }
}
