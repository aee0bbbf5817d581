import Backing
import Crypto
import Foundation
import Primitives
import Synchronization
import TestSupport
import Testing
import Webhooks

extension CrashTests {
    /// The issue's crash storm against the real binary: client tasks post signed statements (one by one
    /// and in batches) for 20 paras over 3 leaves, a collator keeps asking our validator to second, and
    /// the node is killed with SIGKILL at seeded random moments 10 times and restarted on its data folder
    /// each time (the leaves are posted again, as a harness that saw the process die would).
    @Suite(.timeLimit(.minutes(3)))
    struct CrashStormTests {
        static let paras = 20
        static let groupSize = 8
        static let kills = 10
        static let clients = 4

        @Test func tenKillMinus9AtSeededMomentsLoseNoAnsweredStatementNoCommittedWebhookAndNeverMakeUsSignTwice()
            async throws
        {
            let seed =
                ProcessInfo.processInfo.environment["CRASH_STORM_SEED"].flatMap { UInt64($0) }
                ?? UInt64.random(in: 0...UInt64.max)
            print("crash storm seed: \(seed) (CRASH_STORM_SEED=\(seed) runs the same storm again)")
            var random = SeededGenerator(seed: seed)
            let started = ContinuousClock.now

            // 3 leaves × 20 paras, groups of 8; our validator (0) is in para 1's group, whose other members
            // serve their candidates' PoVs, so that we attest them.
            let leaves = (0..<3).map {
                BigLeaf(hash: H256(repeating: 0x30 + UInt8($0)), paras: Self.paras, groupSize: Self.groupSize)
            }
            let peer = try CrashPeer()
            var statements: [PlannedStatement] = []
            var sequences: [[Int]] = []
            /// Validity votes each candidate ends with, per leaf: its group's members but us, plus our
            /// Valid for para 1's.
            var expectedVotes: [[String: Int]] = []
            for leaf in leaves {
                var votes: [String: Int] = [:]
                for para in 1...Self.paras {
                    let plan = try leaf.plan(para: para)
                    for (hash, pov) in plan.povs {
                        peer.serve(pov, for: hash)
                        votes[hash.hex.lowercased()] = Self.groupSize
                    }
                    sequences.append(Array(statements.count..<statements.count + plan.statements.count))
                    statements += plan.statements
                }
                expectedVotes.append(votes)
            }
            sequences.shuffle(using: &random)
            let clientSeeds = (0..<Self.clients).map { _ in random.next() }
            let collatorSeed = random.next()
            let killDelays = (0..<Self.kills).map { _ in Int.random(in: 200...700, using: &random) }
            print("crash storm: \(statements.count) statements signed in \(ContinuousClock.now - started)")

            // A fixed port: clients reach each restarted node while it restores (and are answered 503).
            let node = CrashNode(
                peer: peer, peers: leaves[0].members(ofPara: 1).map { ($0, leaves[0].keys[$0].publicKey) },
                port: try await CrashNode.unusedPort())
            try await node.launch()
            for leaf in leaves { #expect(try await node.activate(leaf.leaf).status == 201) }
            let book = StormBook(statements: statements)
            let stormStarted = ContinuousClock.now

            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<Self.clients {
                    let mine = sequences.enumerated().filter { $0.offset % Self.clients == client }.map(\.element)
                    let seed = clientSeeds[client]
                    group.addTask { await Self.client(mine, node: node, book: book, seed: seed) }
                }
                group.addTask {
                    await Self.collator(leaves, node: node, peer: peer, book: book, seed: collatorSeed)
                }
                for (kill, delay) in killDelays.enumerated() {
                    try await Task.sleep(for: .milliseconds(delay))
                    let cutBefore = book.report.cut
                    await node.kill()
                    let acknowledged = book.acknowledgedVotes()
                    let readiness = try await node.launch(probe: "/v1/leaves/\(leaves[kill % leaves.count].hash.hex)")
                    #expect(readiness.violations.isEmpty, "restart \(kill + 1): \(readiness.violations)")
                    book.restarted(readiness, cutRequests: book.report.cut > cutBefore)
                    // The harness posts its leaves again: they were restored, so the answer is 200.
                    for leaf in leaves {
                        var answer = try await node.activate(leaf.leaf)
                        while answer.status == 503 {
                            try await Task.sleep(for: .milliseconds(10))
                            answer = try await node.activate(leaf.leaf)
                        }
                        #expect(answer.status == 200, "restart \(kill + 1): leaf \(leaf.hash): \(answer.text)")
                    }
                    // Every vote answered before the kill is there (clients are posting again meanwhile,
                    // so there may be more).
                    for (index, leaf) in leaves.enumerated() {
                        let votes = LeafStateView(try await node.leafState(leaf.hash))?.votes ?? [:]
                        for (candidate, voters) in acknowledged[leaf.hash.hex.lowercased()] ?? [:] {
                            #expect(
                                votes[candidate] ?? 0 >= voters.count,
                                "restart \(kill + 1), leaf \(index): \(candidate) has \(votes[candidate] ?? 0) votes, \(voters.count) answered before the kill"
                            )
                        }
                    }
                }
                book.killsDone()
                try await group.waitForAll()
            }
            let stormTook = ContinuousClock.now - stormStarted

            // Our validator attests every para-1 candidate, including those whose validation a kill cut.
            let attested = try await eventually(within: .seconds(30)) {
                for (index, leaf) in leaves.enumerated() {
                    guard let votes = LeafStateView(try await node.leafState(leaf.hash))?.votes else { return false }
                    for (candidate, count) in expectedVotes[index] where votes[candidate] != count { return false }
                }
                return true
            }
            #expect(attested, "not every candidate has its votes:\n\(node.logs.suffix(6000))")
            #expect(await node.outboxDrained(), "\(node.logs.suffix(6000))")
            try await Task.sleep(for: .milliseconds(300))
            let deliveries = peer.deliveries

            // Final leaf states: every statement counted, our Seconded (if any) alone, nobody misbehaved.
            var seen = SigningLedger.signatures(in: deliveries)
            var expectedBackedHooks: [String: Int] = [:]
            for (index, leaf) in leaves.enumerated() {
                let view = try #require(LeafStateView(try await node.leafState(leaf.hash)))
                var expected = expectedVotes[index]
                if let ours = view.seconded { expected[ours] = 1 }
                #expect(view.votes == expected, "leaf \(index): \(Self.difference(view.votes, expected))")
                #expect(view.misbehaviours.isEmpty, "leaf \(index): \(view.misbehaviours)")
                let backed = Set(expected.filter { $0.value >= 3 }.keys)
                #expect(view.backed == backed)
                for candidate in backed { expectedBackedHooks["\(leaf.hash.hex.lowercased()) \(candidate)"] = 1 }
                let oursSeconded = Set(
                    seen.filter {
                        $0.statement.relayParent == leaf.hash.hex.lowercased() && $0.statement.kind == "seconded"
                    }
                    .map(\.statement.candidate))
                #expect(oursSeconded == Set([view.seconded].compactMap { $0 }), "leaf \(index)")

                let hashes = expected.keys.sorted().compactMap { Hash(hex: $0) }
                let answer = try await node.backedCandidates(hashes, at: leaf.hash)
                #expect(answer.status == 200)
                #expect((answer.object?["backedCandidates"] as? [Any])?.count == backed.count)
                seen += SigningLedger.signatures(
                    inBackedAnswer: answer.body, relayParent: leaf.hash, groups: view.groups)
            }
            // Every signature our validator let out, in web-hooks and answers, agrees with every other.
            SigningLedger.expectConsistent(seen)

            // The outbox lost nothing: each statement answered 2xx reached the dispute coordinator, no more
            // often than it was posted; our statements and each backed candidate exactly once.
            var disputeDeliveries: [String: Int] = [:]
            for delivery in deliveries where delivery.event == "dispute.statements" {
                for signer in delivery.disputeSigners {
                    disputeDeliveries["\(signer.validator) \(signer.signature)", default: 0] += 1
                }
            }
            var missing: [Int] = []
            var repeated: [Int] = []
            for (index, statement) in statements.enumerated() {
                guard book.isAnswered(index) else { continue }
                let count = disputeDeliveries["\(statement.validator) \(statement.signatureHex)"] ?? 0
                if count == 0 { missing.append(index) }
                if count > book.attempts(index) { repeated.append(index) }
            }
            #expect(
                missing.isEmpty,
                "\(missing.count) answered statements never reached the receiver: \(missing.prefix(10))")
            #expect(
                repeated.isEmpty,
                "\(repeated.count) statements delivered more often than posted: \(repeated.prefix(10))")
            let ours = SigningLedger.byStatement(seen)
            for (statement, signature) in ours {
                #expect(
                    disputeDeliveries["0 \(signature)"] == 1,
                    "our \(statement) reached the dispute coordinator \(disputeDeliveries["0 \(signature)"] ?? 0) times"
                )
            }
            let shares = Dictionary(
                grouping: SigningLedger.signatures(in: deliveries.filter { $0.event == "statement.share" }),
                by: \.statement
            ).mapValues(\.count)
            #expect(Set(shares.keys) == Set(ours.keys))
            #expect(shares.values.allSatisfy { $0 == 1 }, "\(shares.filter { $0.value != 1 })")
            let backedHooks = Dictionary(
                grouping: deliveries.filter { $0.event == "provisioner.backed" },
                by: { "\($0.relayParent ?? "?") \($0.candidateHash ?? "?")" }
            ).mapValues(\.count)
            #expect(peer.retriesThatDiffer.isEmpty, "\(peer.retriesThatDiffer.prefix(10))")
            #expect(backedHooks == expectedBackedHooks, "\(Self.difference(backedHooks, expectedBackedHooks))")

            // Every statement was answered in the end; nothing was refused; after our Seconded at a leaf
            // was out, every further `POST /v1/second` there was refused.
            let report = book.report
            #expect((0..<statements.count).allSatisfy(book.isAnswered))
            #expect(report.anomalies.isEmpty, "\(report.anomalies.prefix(10))")
            let accepted = report.seconds.filter { $0.secondedBefore && $0.accepted != false }
            #expect(accepted.isEmpty, "seconding accepted after our Seconded was out: \(accepted)")
            print(
                "crash storm (seed \(seed)): \(Self.kills) kills in \(stormTook), the clients done after",
                "\(report.clientsFinishedAt.map { "\($0 - stormStarted)" } ?? "?"); \(statements.count) statements,",
                "\(report.attempts) posts of them, \(report.cut) requests cut by \(report.killsCuttingRequests) of the kills, \(report.refused) refused while down, \(report.restoring) answered 503;",
                "restarts saw /readyz 503 ×\(report.readyz503); \(report.seconds.count) seconding requests,",
                "\(ours.filter { $0.key.kind == "seconded" }.count) Seconded and \(ours.filter { $0.key.kind == "valid" }.count) Valid of ours;",
                "\(deliveries.count) web-hook deliveries; whole test \(ContinuousClock.now - started)")
            #expect(await node.stop() == 0)
            await peer.stop()
            node.removeData()
        }

        /// Posts `sequences` (statement indices, in order) as single statements or batches of up to 16,
        /// each chunk again and again until it is answered (a kill cuts requests; a restoring node answers
        /// 503), pausing between chunks.
        static func client(_ sequences: [[Int]], node: CrashNode, book: StormBook, seed: UInt64) async {
            var random = SeededGenerator(seed: seed)
            for sequence in sequences where !Task.isCancelled {
                var next = 0
                while next < sequence.count, !Task.isCancelled {
                    let single = Bool.random(using: &random)
                    let size = single ? 1 : Int.random(in: 2...16, using: &random)
                    let chunk = Array(sequence[next..<min(sequence.count, next + size)])
                    await post(chunk, single: single, node: node, book: book)
                    next += chunk.count
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 0...10, using: &random)))
                }
            }
            book.clientFinished()
        }

        static func post(_ chunk: [Int], single: Bool, node: CrashNode, book: StormBook) async {
            let relayParent = book.statements[chunk[0]].relayParent
            let deadline = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < deadline, !Task.isCancelled {
                book.attempted(chunk)
                let answer: APIClient.Answer
                do {
                    answer =
                        single
                        ? try await node.post(book.statements[chunk[0]].statement, at: relayParent)
                        : try await node.postBatch(chunk.map { book.statements[$0].statement }, at: relayParent)
                } catch {
                    if (error as? CurlError)?.isConnectFailure == true { book.refused() } else { book.cutByKill() }
                    try? await Task.sleep(for: .milliseconds(20))
                    continue
                }
                switch answer.status {
                case 200:
                    let results: [[String: Any]] =
                        single ? [answer.object ?? [:]] : (answer.object?["results"] as? [[String: Any]] ?? [])
                    guard results.count == chunk.count else {
                        book.anomaly(
                            "answer with \(results.count) results for \(chunk.count) statements: \(answer.text)")
                        return
                    }
                    for (index, result) in zip(chunk, results) {
                        if result["candidateHash"] == nil {
                            book.anomaly("statement \(index) refused: \(result)")
                        } else {
                            book.answered(index, imported: result["summary"] is [String: Any])
                        }
                    }
                    return
                case 503:
                    // Restoring: a problem document that says when to come back.
                    if answer.header("retry-after") == nil
                        || answer.header("content-type")?.hasPrefix("application/problem+json") != true
                    {
                        book.anomaly("503 without Retry-After or problem+json: \(answer.headers)")
                    }
                    book.answeredRestoring()
                    try? await Task.sleep(for: .milliseconds(20))
                default:
                    // A 404 would mean a leaf was not restored; the harness's re-activation then heals it,
                    // but the test fails.
                    book.anomaly(
                        "\(single ? "/v1/statements" : "/v1/statements/batch") answered \(answer.status): \(answer.text.prefix(200))"
                    )
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            book.anomaly("statements \(chunk) never answered")
        }

        /// Asks our validator to second a new para-1 candidate at a random leaf every few hundred
        /// milliseconds until the storm is over, noting whether our Seconded at that leaf was out before.
        static func collator(_ leaves: [BigLeaf], node: CrashNode, peer: CrashPeer, book: StormBook, seed: UInt64)
            async
        {
            var random = SeededGenerator(seed: seed)
            var attempt = 0
            while !book.isOver, !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int.random(in: 150...500, using: &random)))
                let index = Int.random(in: 0..<leaves.count, using: &random)
                let leaf = leaves[index]
                attempt += 1
                let pov: [UInt8] = [0xc0, UInt8(index), UInt8(attempt >> 8), UInt8(attempt & 0xff)]
                guard let candidate = try? leaf.candidate(para: 1, pov: pov, validatable: true) else { continue }
                let relayParent = leaf.hash.hex.lowercased()
                let secondedBefore = peer.deliveries.contains { delivery in
                    guard delivery.event == "statement.share", delivery.relayParent == relayParent,
                        let statement = delivery.statement, statement.validatorIndex == 0
                    else { return false }
                    if case .seconded = statement.payload { return true }
                    return false
                }
                guard let answer = try? await node.second(candidate, pov: pov, at: leaf.hash), answer.status == 202
                else { continue }
                book.seconding(
                    StormBook.Seconding(
                        leaf: index, candidate: candidate.hash.hex, accepted: answer.object?["accepted"] as? Bool,
                        reason: answer.object?["reason"] as? String, secondedBefore: secondedBefore))
            }
        }

        static func difference(_ got: [String: Int], _ expected: [String: Int]) -> String {
            let keys = Set(got.keys).union(expected.keys).filter { got[$0] != expected[$0] }
            return keys.sorted().prefix(10).map {
                "\($0.prefix(14))…: got \(got[$0] ?? 0), expected \(expected[$0] ?? 0)"
            }
            .joined(separator: "; ")
        }
    }
}

/// What the storm's clients did and were answered, shared by every task.
final class StormBook: Sendable {
    let statements: [PlannedStatement]

    struct Seconding: Sendable, CustomStringConvertible {
        let leaf: Int
        let candidate: String
        let accepted: Bool?
        let reason: String?
        /// Our Seconded at this leaf had reached the receiver before the request was sent.
        let secondedBefore: Bool

        var description: String { "leaf \(leaf) \(candidate.prefix(10))… accepted \(accepted.map { "\($0)" } ?? "?")" }
    }

    struct Report: Sendable {
        var attempts = 0
        /// Requests that failed in flight (the node died under them).
        var cut = 0
        /// Requests refused while the node was down.
        var refused = 0
        /// Kills that cut at least one request in flight.
        var killsCuttingRequests = 0
        /// When the last client finished.
        var clientsFinishedAt: ContinuousClock.Instant?
        var restoring = 0
        var readyz503 = 0
        var anomalies: [String] = []
        var seconds: [Seconding] = []
    }

    private struct State {
        var attempts: [Int]
        var answered: [Bool]
        var imported: [Bool]
        var report = Report()
        var clientsFinished = 0
        var killsDone = false
    }

    private let state: Mutex<State>

    init(statements: [PlannedStatement]) {
        self.statements = statements
        state = Mutex(
            State(
                attempts: Array(repeating: 0, count: statements.count),
                answered: Array(repeating: false, count: statements.count),
                imported: Array(repeating: false, count: statements.count)))
    }

    func attempted(_ chunk: [Int]) {
        state.withLock { state in
            for index in chunk { state.attempts[index] += 1 }
            state.report.attempts += chunk.count
        }
    }

    func answered(_ index: Int, imported: Bool) {
        state.withLock { state in
            state.answered[index] = true
            if imported { state.imported[index] = true }
        }
    }

    func cutByKill() { state.withLock { $0.report.cut += 1 } }
    func refused() { state.withLock { $0.report.refused += 1 } }
    func answeredRestoring() { state.withLock { $0.report.restoring += 1 } }
    func anomaly(_ text: String) { state.withLock { $0.report.anomalies.append(text) } }
    func seconding(_ answer: Seconding) { state.withLock { $0.report.seconds.append(answer) } }
    func restarted(_ readiness: CrashNode.Readiness, cutRequests: Bool) {
        state.withLock { state in
            state.report.readyz503 += readiness.readyz503
            if cutRequests { state.report.killsCuttingRequests += 1 }
        }
    }
    func clientFinished() {
        state.withLock { state in
            state.clientsFinished += 1
            state.report.clientsFinishedAt = ContinuousClock.now
        }
    }
    func killsDone() { state.withLock { $0.killsDone = true } }

    var isOver: Bool { state.withLock { $0.killsDone && $0.clientsFinished == CrashTests.CrashStormTests.clients } }
    func isAnswered(_ index: Int) -> Bool { state.withLock { $0.answered[index] } }
    func attempts(_ index: Int) -> Int { state.withLock { $0.attempts[index] } }
    var report: Report { state.withLock { $0.report } }

    /// The validators whose statement about each candidate was answered with a vote, by relay parent and
    /// candidate (lowercase hex).
    func acknowledgedVotes() -> [String: [String: Set<Int>]] {
        let imported = state.withLock { $0.imported }
        var votes: [String: [String: Set<Int>]] = [:]
        for (index, statement) in statements.enumerated() where imported[index] {
            votes[statement.relayParent.hex.lowercased(), default: [:]][
                statement.candidate.hex.lowercased(), default: []
            ].insert(statement.validator)
        }
        return votes
    }
}
