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
}
