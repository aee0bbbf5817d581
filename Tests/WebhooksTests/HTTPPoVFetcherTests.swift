import Backing
import Primitives
import Testing

@testable import Webhooks

@Suite(.timeLimit(.minutes(1)))
struct HTTPPoVFetcherTests {
    let client = CurlClient()
    let pov = PoV([1, 2, 3, 4])
    let candidateHash = H256(repeating: 0xC4)
    let peer = Sr25519Public(repeating: 1)

    func fetch(_ fetcher: HTTPPoVFetcher, key: ValidatorId? = nil, povHash: Hash? = nil) async throws -> PoV {
        try await fetcher.fetchPoV(
            relayParent: .zero, from: 0, validatorKey: key ?? peer, candidateHash: candidateHash,
            povHash: povHash ?? pov.hash)
    }

    @Test func fetchesFromThePeersPoVPath() async throws {
        let receiver = try TestReceiver { _, _ in .json("{\"blockData\":\"0x01020304\"}") }
        defer { receiver.stop() }
        let fetcher = HTTPPoVFetcher(peers: [peer: receiver.url + "/"], client: client)

        #expect(try await fetch(fetcher) == pov)
        #expect(receiver.requests.first?.path == "/v1/povs/0x" + String(repeating: "c4", count: 32))
        #expect(receiver.requests.first?.method == "GET")
    }

    @Test func hashMismatchIsRejected() async throws {
        let receiver = try TestReceiver { _, _ in .json("{\"blockData\":\"0x0102\"}") }
        defer { receiver.stop() }
        let fetcher = HTTPPoVFetcher(peers: [peer: receiver.url], client: client)

        await #expect(throws: PoVFetchError.hashMismatch(expected: pov.hash, actual: PoV([1, 2]).hash)) {
            try await fetch(fetcher)
        }
    }

    @Test func unknownPeerThrows() async throws {
        let fetcher = HTTPPoVFetcher(peers: [:], client: client)
        await #expect(throws: PoVFetchError.unknownPeer(peer)) { try await fetch(fetcher) }
    }

    @Test func notFoundAndGarbageThrow() async throws {
        let missing = try TestReceiver(responder: TestReceiver.statuses([404]))
        defer { missing.stop() }
        let garbage = try TestReceiver { _, _ in .json("{\"blockData\": 12}") }
        defer { garbage.stop() }

        await #expect(throws: PoVFetchError.status(404)) {
            try await fetch(HTTPPoVFetcher(peers: [peer: missing.url], client: client))
        }
        let error = await #expect(throws: PoVFetchError.self) {
            try await fetch(HTTPPoVFetcher(peers: [peer: garbage.url], client: client))
        }
        if case .malformed = error {} else { Issue.record("expected .malformed, got \(String(describing: error))") }
    }

    /// A PoV near `MAX_POV_SIZE` (9 MiB: 18 MiB of JSON, more than the client's default cap) is fetched;
    /// an answer past the fetcher's cap fails the fetch as too large instead of being buffered.
    @Test func aLargePoVIsFetchedAndAnAnswerPastTheCapIsRefused() async throws {
        let large = PoV([UInt8](repeating: 0xAB, count: 9 << 20))
        let body = Array(#"{"blockData":""#.utf8) + Array(Hex.encode(large.blockData.bytes).utf8) + Array(#""}"#.utf8)
        #expect(body.count > CurlRequest(url: "x").maxResponseBytes)
        let big = try TestReceiver { _, _ in
            TestResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
        }
        defer { big.stop() }
        let fetched = try await HTTPPoVFetcher(peers: [peer: big.url], client: client).fetchPoV(
            relayParent: .zero, from: 0, validatorKey: peer, candidateHash: candidateHash, povHash: large.hash)
        #expect(fetched == large)

        let tooMuch = [UInt8](repeating: UInt8(ascii: " "), count: HTTPPoVFetcher.maxResponseBytes + 1)
        let flood = try TestReceiver { _, _ in
            TestResponse(status: 200, headers: [("Content-Type", "application/json")], body: tooMuch)
        }
        defer { flood.stop() }
        let error = await #expect(throws: PoVFetchError.self) {
            try await fetch(HTTPPoVFetcher(peers: [peer: flood.url], client: client))
        }
        guard case .transport(let curlError) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(curlError.kind == .responseTooLarge)
    }
}
