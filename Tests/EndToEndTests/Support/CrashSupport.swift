import Backing
import Crypto
import ErasureCoding
import Foundation
import HTTPServer
import Primitives
import Synchronization
import Testing
import Webhooks

/// The parent of the crash suites (``CrashRecoveryTests``, ``CrashStormTests``): one test at a time, because
/// they kill processes at chosen moments and time their restarts, which the load of another crash test on a
/// 2-core machine would only blur.
@Suite(.serialized) enum CrashTests {}

// MARK: - The world around a crashing node

/// Everything a node under crash tests talks to, on one loopback port that outlives every restart of the
/// node: the web-hook receiver (`/hooks`, always 200), the external validator (`/validate`, "valid" unless a
/// PoV is held) and every validator's PoV server (`/v{i}/v1/povs/0x{candidateHash}`, the PoVs registered
/// with ``serve(_:for:)``, 404 for any other).
final class CrashPeer: Sendable {
    let server: TestPeer
    private let script: Script

    private final class Script: Sendable {
        /// PoV bytes by candidate hash (lowercase hex).
        let povs = Mutex<[String: [UInt8]]>([:])
        /// PoVs (lowercase hex) whose validation hangs until released.
        let held = Mutex<Set<String>>([])

        func pov(forCandidate hex: String) -> [UInt8]? { povs.withLock { $0[hex.lowercased()] } }
        func isHeld(_ povHex: String) -> Bool { held.withLock { $0.contains(povHex.lowercased()) } }
    }

    init() throws {
        let server = try TestPeer()
        let script = Script()
        let valid = try Scenario.validAnswer()
        server.on("/hooks") { _ in HTTPResponse(status: 200) }
        server.on("/validate") { request in
            let povHex = CrashPeer.povHex(of: request)
            // A held validation answers once released, as a slow validator would; the node's backing
            // timeout (2 s) is longer than any hold of these tests before the node is killed.
            let deadline = ContinuousClock.now + .seconds(30)
            while script.isHeld(povHex) {
                guard ContinuousClock.now < deadline else { return HTTPResponse(status: 503) }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: valid)
        }
        server.on("*") { request in
            guard let range = request.path.range(of: "/v1/povs/"),
                let pov = script.pov(forCandidate: String(request.path[range.upperBound...]))
            else { return HTTPResponse(status: 404) }
            // Safe because: a PoV always encodes.
            return HTTPResponse(
                status: 200, headers: ["content-type": "application/json"], body: try! Scenario.json(PoV(pov)))
        }
        self.server = server
        self.script = script
    }

    var url: String { server.url }

    static func povHex(of request: TestPeer.Recorded) -> String {
        ((request.json?["pov"] as? [String: Any])?["blockData"] as? String)?.lowercased() ?? ""
    }

    /// Every validator serves `pov` for `candidate`.
    func serve(_ pov: [UInt8], for candidate: CandidateHash) {
        script.povs.withLock { $0[candidate.hex.lowercased()] = pov }
    }

    /// Validations of `pov` hang from now on (until ``release(_:)``).
    func hold(_ pov: [UInt8]) { script.held.withLock { _ = $0.insert(Hex.encode(pov).lowercased()) } }

    func release(_ pov: [UInt8]) { script.held.withLock { _ = $0.remove(Hex.encode(pov).lowercased()) } }

    /// How many validation requests for `pov` arrived.
    func validations(of pov: [UInt8]) -> Int {
        let hex = Hex.encode(pov).lowercased()
        return server.requests(to: "/validate").filter { Self.povHex(of: $0) == hex }.count
    }

    /// How many PoV fetches for `candidate` arrived (from any validator's server).
    func povFetches(of candidate: CandidateHash) -> Int {
        server.requests.filter { $0.path.lowercased().hasSuffix("/v1/povs/\(candidate.hex.lowercased())") }.count
    }

    /// Every web-hook delivery, once per delivery id (`X-Backing-Delivery`; a retry repeats its id), in the
    /// order of first arrival.
    var deliveries: [Delivery] {
        var seen = Set<String>()
        var out: [Delivery] = []
        for request in server.requests(to: "/hooks") {
            let id = request.headers["x-backing-delivery"]?.lowercased() ?? "<no id>"
            guard seen.insert(id).inserted else { continue }
            out.append(Delivery(id: id, event: request.event ?? "<no event>", body: request.body))
        }
        return out
    }

    /// Delivery ids that arrived more than once with different events or bodies (a retry must repeat its
    /// delivery exactly).
    var retriesThatDiffer: [String] {
        var bodies: [String: Set<String>] = [:]
        for request in server.requests(to: "/hooks") {
            let id = request.headers["x-backing-delivery"]?.lowercased() ?? "<no id>"
            bodies[id, default: []].insert("\(request.event ?? "") \(String(decoding: request.body, as: UTF8.self))")
        }
        return bodies.filter { $0.value.count > 1 }.keys.sorted()
    }

    /// Waits for the first delivery that `matches`.
    func waitForDelivery(
        within timeout: Duration = .seconds(20), where matches: (Delivery) -> Bool
    ) async -> Delivery? {
        var found: Delivery?
        _ = await eventually(within: timeout) {
            found = deliveries.first(where: matches)
            return found != nil
        }
        return found
    }

    func stop() async { await server.stop() }
}

/// One web-hook delivery as the receiver saw it.
struct Delivery: Sendable {
    let id: String
    let event: String
    let body: [UInt8]

    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    var canonicalBody: String { CanonicalJSON.string(body) }

    /// For `statement.share` and `collator.seconded`: the signed statement.
    var statement: SignedFullStatement? {
        guard let statement = json?["statement"],
            let data = try? JSONSerialization.data(withJSONObject: statement)
        else { return nil }
        return try? JSONInput.decode(SignedFullStatement.self, from: data)
    }

    /// For `statement.share`, `collator.seconded`, `provisioner.backed`: the relay parent.
    var relayParent: String? { (json?["relayParent"] as? String)?.lowercased() }

    /// For `provisioner.backed`, `dispute.statements`: the candidate.
    var candidateHash: String? { (json?["candidateHash"] as? String)?.lowercased() }

    /// For `dispute.statements`: (validator index, signature hex) of each statement.
    var disputeSigners: [(validator: Int, signature: String)] {
        ((json?["statements"] as? [[String: Any]]) ?? []).compactMap { entry in
            guard let validator = entry["validatorIndex"] as? Int, let signature = entry["signature"] as? String
            else { return nil }
            return (validator, signature.lowercased())
        }
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; whether it held.
func eventually(within timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
}

/// JSON compared as values: parsed and written again with sorted keys, so two answers are equal exactly
/// when they are JSON-equal (arrays keep their order).
enum CanonicalJSON {
    static func string(_ bytes: [UInt8]) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
        else { return "<not JSON: \(String(decoding: bytes, as: UTF8.self))>" }
        return String(decoding: data, as: UTF8.self)
    }
}

// MARK: - A node that is killed and restarted

/// A `backingd serve` that a test kills with SIGKILL and starts again with the same arguments on the same
/// `--data-dir`, as an operator's supervisor would: a validator (`//Alice` unless told otherwise) whose
/// validator, PoV peers and web-hook receiver are one ``CrashPeer``.
final class CrashNode: Sendable {
    let peer: CrashPeer
    let dataDirectory: URL
    let arguments: [String]
    let environment: [String: String]
    let curl = CurlClient()
    /// Every process started so far, the current one last.
    private let runs = Mutex<[BackingdProcess]>([])
    /// The current process's base URL, set as soon as it listens (it may still be restoring then).
    private let currentURL = Mutex<String?>(nil)

    /// The port every process listens on, or `nil` for a new one each time (port 0).
    let port: UInt16?

    /// - Parameters:
    ///   - peers: the validators (index in the leaf, key) whose PoVs are fetched from the peer.
    ///   - port: a fixed port (see ``unusedPort()``): clients then reach a restarted node while it restores,
    ///     before it prints its address; with `nil` they learn the new address once it is ready.
    ///   - dataDirectory: where its databases go (a new temporary folder by default).
    ///   - environment: variables added to the processes' environment.
    init(
        peer: CrashPeer, peers: [(index: Int, key: ValidatorId)], validator: String? = "//Alice", port: UInt16? = nil,
        dataDirectory: URL? = nil, environment: [String: String] = [:]
    ) {
        // A backing timeout far above Polkadot's 2 s: a validation run again after a restart must not time
        // out while the whole suite loads the machine.
        var arguments = [
            "--validation-url", "\(peer.url)/validate", "--webhook", "*=\(peer.url)/hooks", "--backing-timeout", "30s",
        ]
        if let validator { arguments += ["--validator-seed", validator] }
        for (index, key) in peers { arguments += ["--peer", "\(key.hex)=\(peer.url)/v\(index)"] }
        self.peer = peer
        self.arguments = arguments
        self.port = port
        self.dataDirectory = dataDirectory ?? BackingdProcess.temporaryDirectory()
        self.environment = environment
    }

    /// A free port below the ephemeral range (32768–60999 on Linux), so that no outgoing connection takes it
    /// while the node is down between a kill and its restart.
    static func unusedPort() async throws -> UInt16 {
        for _ in 0..<100 {
            let port = UInt16.random(in: 20_000..<32_000)
            guard let probe = try? TestPeer(port: port) else { continue }
            await probe.stop()
            return port
        }
        throw NoFreePort()
    }

    struct NoFreePort: Error {}

    /// The API of the current process (a dead one refuses connections until the next ``launch(probe:)``).
    var api: APIClient {
        // Safe because: tests talk to the node only after its first launch.
        APIClient(baseURL: currentURL.withLock { $0! }, client: curl)
    }

    /// Every process's logs, for failure messages.
    var logs: String {
        runs.withLock { runs in
            runs.enumerated().map { "--- backingd run \($0.offset + 1) ---\n\($0.element.logs.value)" }.joined()
        }
    }

    /// What a (re)started node answered until it was ready.
    struct Readiness: Sendable {
        /// Every `GET /readyz` status in order (from when the node listens).
        var readyz: [Int] = []
        /// The probed `/v1` route's 200 answers (canonical JSON), answered while the node was restoring or
        /// just after.
        var probeBodies: [String] = []
        /// How many times the probed route answered 503 problem+json with `Retry-After`.
        var probe503: Int = 0
        /// Answers that break the contract, described.
        var violations: [String] = []

        var readyz503: Int { readyz.filter { $0 == 503 }.count }
    }

    /// Starts a process on the data folder (the first start, or a restart after ``kill()``) and polls
    /// `GET /readyz` until 200, and with each poll `GET probe` (a `/v1` route). Until the node is ready,
    /// `/readyz` may answer 503 only, and the probe 503 `application/problem+json` with `Retry-After` or 200;
    /// once `/readyz` said 200, the probe answers 200. With a fixed ``port`` the polls start before the
    /// process listens, so they see the node while it restores.
    @discardableResult
    func launch(probe: String? = nil, timeout: Duration = .seconds(30)) async throws -> Readiness {
        let process = BackingdProcess(arguments: arguments, dataDirectory: dataDirectory, environment: environment)
        runs.withLock { $0.append(process) }
        guard let port else {
            try await process.start()
            currentURL.withLock { $0 = process.baseURL }
            return await Self.pollReadiness(
                APIClient(baseURL: process.baseURL, client: curl), probe: probe, timeout: timeout)
        }
        let url = "http://127.0.0.1:\(port)"
        currentURL.withLock { $0 = url }
        let polling = Task { [curl] in
            await Self.pollReadiness(APIClient(baseURL: url, client: curl), probe: probe, timeout: timeout)
        }
        do {
            try await process.start(listen: "127.0.0.1:\(port)", timeout: timeout)
        } catch {
            polling.cancel()
            throw error
        }
        return await polling.value
    }

    static func pollReadiness(_ api: APIClient, probe: String?, timeout: Duration) async -> Readiness {
        var readiness = Readiness()
        let deadline = ContinuousClock.now + timeout
        while !Task.isCancelled {
            guard ContinuousClock.now < deadline else {
                readiness.violations.append(
                    "not ready after \(timeout): /readyz answered \(readiness.readyz.suffix(5))")
                break
            }
            let status = (try? await api.get("/readyz"))?.status ?? 0
            guard status != 0 else {
                // Not listening yet: ask again almost at once.
                try? await Task.sleep(for: .microseconds(500))
                continue
            }
            readiness.readyz.append(status)
            if status != 200, status != 503 {
                readiness.violations.append("/readyz answered \(status)")
            }
            if let probe, let answer = try? await api.get(probe) {
                switch answer.status {
                case 200:
                    readiness.probeBodies.append(CanonicalJSON.string(answer.body))
                case 503 where status != 200:
                    readiness.probe503 += 1
                    if answer.header("content-type")?.hasPrefix("application/problem+json") != true {
                        readiness.violations.append(
                            "\(probe) answered 503 as \(answer.header("content-type") ?? "no content type")")
                    }
                    if answer.header("retry-after") == nil {
                        readiness.violations.append("\(probe) answered 503 without Retry-After")
                    }
                default:
                    readiness.violations.append(
                        "\(probe) answered \(answer.status) when /readyz answered \(status): \(answer.text)")
                }
            }
            if status == 200 { break }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return readiness
    }

    /// SIGKILL: no flush, no shutdown, nothing.
    func kill() async {
        guard let process = runs.withLock({ $0.last }) else { return }
        await process.kill()
    }

    /// SIGTERM, then closes the client; the exit status.
    @discardableResult
    func stop() async -> Int32 {
        let status = await runs.withLock({ $0.last })?.stop() ?? -1
        curl.shutdown()
        return status
    }

    /// Removes the data folder (after a passing test).
    func removeData() { try? FileManager.default.removeItem(at: dataDirectory) }

    // MARK: Requests

    func activate(_ leaf: Leaf) async throws -> APIClient.Answer {
        try await api.send("POST", "/v1/leaves", body: try Scenario.json(leaf))
    }

    func post(_ statement: SignedFullStatement, at relayParent: Hash) async throws -> APIClient.Answer {
        try await api.send(
            "POST", "/v1/statements",
            body: try Scenario.json(Scenario.StatementBody(relayParent: relayParent, statement: statement)))
    }

    func postBatch(_ statements: [SignedFullStatement], at relayParent: Hash) async throws -> APIClient.Answer {
        try await api.send(
            "POST", "/v1/statements/batch",
            body: try Scenario.json(BatchBody(relayParent: relayParent, statements: statements)))
    }

    func second(_ candidate: CommittedCandidateReceipt, pov: [UInt8], at relayParent: Hash) async throws
        -> APIClient.Answer
    {
        try await api.send(
            "POST", "/v1/second",
            body: try Scenario.json(
                Scenario.SecondBody(relayParent: relayParent, candidate: candidate.plainReceipt, pov: PoV(pov))))
    }

    func backedCandidates(_ hashes: [CandidateHash], at relayParent: Hash) async throws -> APIClient.Answer {
        try await api.send(
            "POST", "/v1/backed-candidates",
            body: try Scenario.json(BackedQuery(relayParent: relayParent, candidateHashes: hashes)))
    }

    /// `GET /v1/leaves/{hash}` as canonical JSON ("<status>: body" unless 200).
    func leafState(_ hash: Hash) async throws -> String {
        let answer = try await api.get("/v1/leaves/\(hash.hex)")
        return answer.status == 200 ? CanonicalJSON.string(answer.body) : "\(answer.status): \(answer.text)"
    }

    /// Waits until the outbox has nothing pending (every committed web-hook reached the receiver).
    func outboxDrained(within timeout: Duration = .seconds(30)) async -> Bool {
        await eventually(within: timeout) {
            guard let answer = try? await api.get("/v1/webhooks/deliveries?status=pending&limit=1"),
                answer.status == 200
            else { return false }
            return (answer.json as? [Any])?.isEmpty == true
        }
    }
}

struct BatchBody: Encodable {
    let relayParent: Hash
    let statements: [SignedFullStatement]
}

struct BackedQuery: Encodable {
    let relayParent: Hash
    let candidateHashes: [CandidateHash]
}

/// A leaf's state as JSON, read back.
struct LeafStateView {
    let object: [String: Any]

    init?(_ canonical: String) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(canonical.utf8))) as? [String: Any]
        else { return nil }
        self.object = object
    }

    /// Validity votes by candidate hash (lowercase hex).
    var votes: [String: Int] {
        var votes: [String: Int] = [:]
        for candidate in (object["candidates"] as? [[String: Any]]) ?? [] {
            if let hash = candidate["candidateHash"] as? String {
                votes[hash.lowercased()] = candidate["validityVotes"] as? Int ?? -1
            }
        }
        return votes
    }

    var backed: Set<String> {
        Set(
            ((object["candidates"] as? [[String: Any]]) ?? []).filter { $0["backed"] as? Bool == true }.compactMap {
                ($0["candidateHash"] as? String)?.lowercased()
            })
    }

    var seconded: String? { (object["seconded"] as? String)?.lowercased() }
    var misbehaviours: [Any] { object["misbehaviours"] as? [Any] ?? [] }
    var groups: [String: [Int]] { object["groups"] as? [String: [Int]] ?? [:] }
}

// MARK: - Big leaves

/// Validator keys of big leaves: index 0 is `//Alice` (our validator), index i `//Validator{i}`; derived
/// once per test run.
private let bigValidatorKeys = Mutex<[Sr25519Keypair]>([])

/// A leaf with many paras: para p (1-based) is scheduled on core p−1 and backed by group p−1, which is
/// `groupSize` consecutive validators, so our validator (index 0) is in para 1's group.
struct BigLeaf: Sendable {
    let leaf: Leaf
    let keys: [Sr25519Keypair]
    let paraCount: Int
    let groupSize: Int

    init(hash: Hash, paras: Int, groupSize: Int) {
        let count = paras * groupSize
        keys = bigValidatorKeys.withLock { keys in
            while keys.count < count {
                keys.append(Sr25519Keypair.dev(keys.isEmpty ? "Alice" : "Validator\(keys.count)"))
            }
            return Array(keys.prefix(count))
        }
        paraCount = paras
        self.groupSize = groupSize
        leaf = Leaf(
            hash: hash, number: 1, sessionIndex: 1, validators: keys.map(\.publicKey),
            validatorGroups: (0..<paras).map { group in
                (0..<groupSize).map { ValidatorIndex(UInt32(group * groupSize + $0)) }
            },
            groupRotationInfo: GroupRotationInfo(sessionStartBlock: 0, groupRotationFrequency: 0, now: 1),
            availabilityCores: (1...paras).map { .scheduled(ScheduledCore(paraId: ParaId(UInt32($0)))) })
    }

    var hash: Hash { leaf.hash }
    var context: SigningContext { SigningContext(sessionIndex: leaf.sessionIndex, parentHash: leaf.hash) }

    /// The validator indices of `para`'s group.
    func members(ofPara para: Int) -> [Int] { (0..<groupSize).map { (para - 1) * groupSize + $0 } }

    func sign(_ statement: Statement, by index: Int) -> PlannedStatement {
        PlannedStatement(
            relayParent: leaf.hash,
            statement: .sign(
                statement, validatorIndex: ValidatorIndex(UInt32(index)), context: context, keypair: keys[index]))
    }

    /// A candidate of `para` here whose head the external validator confirms ([4, 5, 6]); with
    /// `validatable` its erasure root is the real one for this leaf's validator count, so that our
    /// validator's validation accepts it (only para 1's candidates need that).
    func candidate(para: Int, pov: [UInt8], validatable: Bool) throws -> CommittedCandidateReceipt {
        let root =
            validatable
            ? try ErasureCoding.erasureRoot(
                nValidators: keys.count,
                availableData: AvailableData(pov: PoV(pov), validationData: Scenario.validationData))
            : Hash.zero
        return CommittedCandidateReceipt(
            descriptor: CandidateDescriptor(
                paraId: ParaId(UInt32(para)), relayParent: leaf.hash, povHash: PoV(pov).hash, erasureRoot: root),
            commitments: CandidateCommitments(headData: HeadData(bytes: [4, 5, 6])))
    }

    /// A distinct PoV for `member`'s candidate of `para` here.
    func pov(para: Int, member: Int) -> [UInt8] {
        [leaf.hash.bytes[0], UInt8(para), UInt8(member >> 8), UInt8(member & 0xff)]
    }

    /// Everything `para`'s group says about its candidates, except our validator: each other member
    /// seconds its own candidate, then every other member (not us) posts Valid for it; the Seconded
    /// statements come first, so every Valid finds its candidate known. With ``CrashPeer/serve(_:for:)``
    /// of the returned PoVs, our validator can fetch and attest para 1's candidates.
    func plan(para: Int) throws -> (statements: [PlannedStatement], povs: [(CandidateHash, [UInt8])]) {
        let members = members(ofPara: para).filter { $0 != 0 }
        var seconded: [PlannedStatement] = []
        var valid: [PlannedStatement] = []
        var povs: [(CandidateHash, [UInt8])] = []
        for member in members {
            let pov = pov(para: para, member: member)
            let candidate = try candidate(para: para, pov: pov, validatable: para == 1)
            povs.append((candidate.hash, pov))
            seconded.append(sign(.seconded(candidate), by: member))
            for other in members where other != member { valid.append(sign(.valid(candidate.hash), by: other)) }
        }
        return (seconded + valid, povs)
    }
}

/// A statement signed once by a test (posting it again sends the same bytes).
struct PlannedStatement: Sendable {
    let relayParent: Hash
    let statement: SignedFullStatement
    let candidate: CandidateHash
    var validator: Int { Int(statement.validatorIndex.rawValue) }
    var signatureHex: String { statement.signature.hex.lowercased() }

    init(relayParent: Hash, statement: SignedFullStatement) {
        self.relayParent = relayParent
        self.statement = statement
        candidate = statement.payload.candidateHash
    }
}

// MARK: - Our validator's signatures

/// A statement our validator signed: what, about which candidate, at which relay parent.
struct OurStatement: Hashable, Sendable, CustomStringConvertible {
    let relayParent: String
    /// "seconded" or "valid".
    let kind: String
    let candidate: String

    var description: String { "\(kind) \(candidate.prefix(10))… at \(relayParent.prefix(10))…" }
}

/// One sighting of one of our signatures: in a web-hook or an answer.
struct SeenSignature: Sendable {
    let statement: OurStatement
    let signature: String
    let source: String
}

/// Collects every signature our validator ever let out — web-hooks (`statement.share`, `collator.seconded`,
/// `dispute.statements`) and `POST /v1/backed-candidates` answers — and checks the signing guard's promise.
enum SigningLedger {
    /// Our statements in web-hook deliveries.
    static func signatures(in deliveries: [Delivery], validator: Int = 0) -> [SeenSignature] {
        var seen: [SeenSignature] = []
        for delivery in deliveries {
            switch delivery.event {
            case "statement.share", "collator.seconded":
                guard let statement = delivery.statement, Int(statement.validatorIndex.rawValue) == validator,
                    let relayParent = delivery.relayParent
                else { continue }
                let kind: String =
                    switch statement.payload {
                    case .seconded: "seconded"
                    case .valid: "valid"
                    }
                seen.append(
                    SeenSignature(
                        statement: OurStatement(
                            relayParent: relayParent, kind: kind,
                            candidate: statement.payload.candidateHash.hex.lowercased()),
                        signature: statement.signature.hex.lowercased(), source: "\(delivery.event) \(delivery.id)"))
            case "dispute.statements":
                guard let candidate = delivery.candidateHash else { continue }
                for entry in (delivery.json?["statements"] as? [[String: Any]]) ?? [] {
                    guard entry["validatorIndex"] as? Int == validator,
                        let signature = (entry["signature"] as? String)?.lowercased(),
                        let valid = (entry["statement"] as? [String: Any])?["valid"] as? [String: Any]
                    else { continue }
                    let kind: String
                    let relayParent: String
                    if let parent = valid["backingSeconded"] as? String {
                        (kind, relayParent) = ("seconded", parent.lowercased())
                    } else if let parent = valid["backingValid"] as? String {
                        (kind, relayParent) = ("valid", parent.lowercased())
                    } else {
                        continue
                    }
                    seen.append(
                        SeenSignature(
                            statement: OurStatement(relayParent: relayParent, kind: kind, candidate: candidate),
                            signature: signature, source: "dispute.statements \(delivery.id)"))
                }
            default:
                continue
            }
        }
        return seen
    }

    /// Our votes in a `POST /v1/backed-candidates` answer: the i-th set bit of `validatorIndices` (over
    /// the para's group, as `groups` of the leaf state lists it) is the i-th vote. Also checks that
    /// `encoded` is the SCALE encoding of the other fields.
    static func signatures(
        inBackedAnswer body: [UInt8], relayParent: Hash, groups: [String: [Int]], validator: Int = 0,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [SeenSignature] {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        var seen: [SeenSignature] = []
        for entry in (object?["backedCandidates"] as? [[String: Any]]) ?? [] {
            guard let data = try? JSONSerialization.data(withJSONObject: entry),
                let backed = try? JSONInput.decode(BackedCandidate.self, from: data)
            else {
                Issue.record("a backed candidate does not decode: \(entry)", sourceLocation: sourceLocation)
                continue
            }
            #expect(
                (entry["encoded"] as? String)?.lowercased() == Hex.encode(backed.scaleEncoded).lowercased(),
                "encoded is not the SCALE encoding of the backed candidate", sourceLocation: sourceLocation)
            let group = groups[String(backed.candidate.descriptor.paraId.rawValue)] ?? []
            for (vote, position) in zip(backed.validityVotes, backed.validatorIndices.setIndices)
            where position < group.count && group[position] == validator {
                let kind: String =
                    switch vote {
                    case .implicit: "seconded"
                    case .explicit: "valid"
                    }
                seen.append(
                    SeenSignature(
                        statement: OurStatement(
                            relayParent: relayParent.hex.lowercased(), kind: kind,
                            candidate: backed.candidate.hash.hex.lowercased()),
                        signature: vote.signature.hex.lowercased(), source: "backed-candidates answer"))
            }
        }
        return seen
    }

    /// The signing guard, as the outside sees it: one and the same signature bytes per statement across
    /// every restart, at most one Seconded per relay parent, and every signature our key's over the
    /// statement in its signing context.
    static func expectConsistent(
        _ seen: [SeenSignature], key: ValidatorId = Scenario.keys[0].publicKey, session: SessionIndex = 1,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var byStatement: [OurStatement: [SeenSignature]] = [:]
        for sighting in seen { byStatement[sighting.statement, default: []].append(sighting) }
        for (statement, sightings) in byStatement {
            let distinct = Set(sightings.map(\.signature))
            #expect(
                distinct.count == 1,
                "our validator let out \(distinct.count) different signatures for \(statement): \(sightings.map { "\($0.signature.prefix(18))… in \($0.source)" })",
                sourceLocation: sourceLocation)
            guard let relayParent = Hash(hex: statement.relayParent), let candidate = Hash(hex: statement.candidate)
            else {
                Issue.record("unreadable statement \(statement)", sourceLocation: sourceLocation)
                continue
            }
            let compact: CompactStatement = statement.kind == "seconded" ? .seconded(candidate) : .valid(candidate)
            let payload = compact.signingPayload(SigningContext(sessionIndex: session, parentHash: relayParent))
            for signature in distinct {
                let verifies = ValidatorSignature(hex: signature).map { key.isValidSignature($0, for: payload) }
                #expect(verifies == true, "not our signature over \(statement)", sourceLocation: sourceLocation)
            }
        }
        var secondedAt: [String: Set<String>] = [:]
        for statement in byStatement.keys where statement.kind == "seconded" {
            secondedAt[statement.relayParent, default: []].insert(statement.candidate)
        }
        for (relayParent, candidates) in secondedAt {
            #expect(
                candidates.count <= 1,
                "our validator seconded \(candidates.count) candidates at \(relayParent): \(candidates.sorted())",
                sourceLocation: sourceLocation)
        }
    }

    /// One signature per statement (after ``expectConsistent(_:key:session:sourceLocation:)``).
    static func byStatement(_ seen: [SeenSignature]) -> [OurStatement: String] {
        Dictionary(seen.map { ($0.statement, $0.signature) }, uniquingKeysWith: { first, _ in first })
    }
}
