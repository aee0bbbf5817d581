import Backing
import Crypto
import Foundation
import HTTPServer
import Primitives
import Synchronization
import Testing
import Webhooks

/// The seed's test harness over HTTP: a real node (Alice, or an observer) whose validator, PoV peers
/// and web-hook receiver are one `TestPeer` answering as each scenario scripts it.
///
/// Validator i's PoVs are served at `/v{i}/v1/povs/0x…`, so a fetch shows whom the node asked.
struct SeedHarness {
    let peer: TestPeer
    let node: BackingdProcess
    let api: APIClient
    let curl: CurlClient

    static func start(validator: String? = "//Alice", cores: [CoreState]? = nil, leaf: Leaf? = nil) async throws
        -> SeedHarness
    {
        let peer = try TestPeer()
        var arguments = ["--validation-url", "\(peer.url)/validate", "--webhook", "*=\(peer.url)/hooks"]
        if let validator { arguments += ["--validator-seed", validator] }
        for (index, key) in Scenario.keys.enumerated() {
            arguments += ["--peer", "\(key.publicKey.hex)=\(peer.url)/v\(index)"]
        }
        let node = BackingdProcess(arguments: arguments)
        try await node.start()
        let curl = CurlClient()
        let harness = SeedHarness(
            peer: peer, node: node, api: APIClient(baseURL: node.baseURL, client: curl), curl: curl)
        let activated = try await harness.api.send(
            "POST", "/v1/leaves", body: try Scenario.json(leaf ?? Scenario.leaf(cores: cores)))
        #expect(activated.status == 201)
        return harness
    }

    /// Answers validation requests for the candidate with `pov` by `answer` (a JSON body, or a status).
    func onValidation(of pov: [UInt8], _ answer: ValidatorAnswer) {
        let handlers = peer.validationAnswers
        handlers.set(Hex.encode(pov), answer)
        peer.on("/validate") { request in
            let povHex = ((request.json?["pov"] as? [String: Any])?["blockData"] as? String) ?? ""
            switch handlers.get(povHex) {
            case .valid?:
                // Safe because: the seed's "valid" answer always encodes.
                return HTTPResponse(
                    status: 200, headers: ["content-type": "application/json"], body: try! Scenario.validAnswer())
            case .invalid(let reason)?:
                return HTTPResponse(
                    status: 200, headers: ["content-type": "application/json"],
                    body: Array("{\"invalid\":{\"reason\":\"\(reason)\"}}".utf8))
            case .internalError?: return HTTPResponse(status: 500)
            case .never?, nil:
                try? await Task.sleep(for: .seconds(10))
                return HTTPResponse(status: 503)
            }
        }
    }

    /// Validator `index` serves `pov` for `candidate` (or 404 when `pov` is nil: the fetch fails).
    func onFetch(from index: Int, _ candidate: CommittedCandidateReceipt, _ pov: [UInt8]?) {
        peer.on("/v\(index)/v1/povs/\(candidate.hash.hex)") { _ in
            guard let pov else { return HTTPResponse(status: 404) }
            // Safe because: a PoV always encodes.
            return HTTPResponse(
                status: 200, headers: ["content-type": "application/json"], body: try! Scenario.json(PoV(pov)))
        }
    }

    func second(_ candidate: CommittedCandidateReceipt, pov: [UInt8]) async throws -> APIClient.Answer {
        try await api.send(
            "POST", "/v1/second",
            body: try Scenario.json(
                Scenario.SecondBody(relayParent: Scenario.relayParent, candidate: candidate.plainReceipt, pov: PoV(pov))
            ))
    }

    @discardableResult
    func post(_ statement: SignedFullStatement) async throws -> APIClient.Answer {
        let answer = try await api.send(
            "POST", "/v1/statements",
            body: try Scenario.json(Scenario.StatementBody(relayParent: Scenario.relayParent, statement: statement)))
        #expect(answer.status == 200, "\(answer.text)")
        return answer
    }

    /// The first `count` web-hooks, in delivery order.
    func hooks(_ count: Int) async -> [TestPeer.Recorded] {
        Array(await peer.waitFor(count, to: "/hooks").prefix(count))
    }

    func backedCandidates(_ hashes: [CandidateHash]) async throws -> [[String: Any]] {
        struct Query: Encodable {
            let relayParent: Hash
            let candidateHashes: [CandidateHash]
        }
        let answer = try await api.send(
            "POST", "/v1/backed-candidates",
            body: try Scenario.json(Query(relayParent: Scenario.relayParent, candidateHashes: hashes)))
        return answer.object?["backedCandidates"] as? [[String: Any]] ?? []
    }

    func stop() async {
        #expect(await node.stop() == 0)
        curl.shutdown()
        await peer.stop()
    }
}

enum ValidatorAnswer: Sendable {
    case valid
    case invalid(String)
    case internalError
    case never
}

/// Scripted validator answers keyed by PoV hex.
final class ValidatorAnswers: Sendable {
    private let answers = Mutex<[String: ValidatorAnswer]>([:])
    func set(_ key: String, _ answer: ValidatorAnswer) { answers.withLock { $0[key] = answer } }
    func get(_ key: String) -> ValidatorAnswer? { answers.withLock { $0[key] } }
}

extension TestPeer.Recorded {
    /// For `dispute.statements`: the validator index of its one statement.
    var disputeValidator: Int? {
        ((json?["statements"] as? [[String: Any]])?.first?["validatorIndex"]) as? Int
    }

    /// For `statement.share` / `collator.seconded`: the payload's kind ("seconded" or "valid").
    var statementKind: String? {
        ((json?["statement"] as? [String: Any])?["payload"] as? [String: Any])?.keys.first
    }
}
