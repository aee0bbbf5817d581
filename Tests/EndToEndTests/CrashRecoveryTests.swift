import Backing
import Crypto
import Foundation
import Primitives
import Testing

extension CrashTests {
    /// Issue 12 with the real binary: `kill -9` at each step of the issue's scenario, restarted with the
    /// same arguments on the same `--data-dir`. The restored node shows the leaf and its backed candidates
    /// exactly as before the kill and as a run without a crash, emits no web-hook again for replayed
    /// history, and its validator never signs a second Seconded at a relay parent nor re-signs a statement
    /// with new bytes.
    @Suite(.timeLimit(.minutes(3)))
    struct CrashRecoveryTests {
        // MARK: The issue's scenario

        /// Para 1 at the fixture's relay parent 0x05…, group [2, 0, 3, 5] (our validator, Alice, is 0):
        /// Charlie (2) seconds A, which Alice attests (PoV from Charlie, validation "valid") and Dave (3)
        /// and Ferdie (5) vote for; Alice seconds B herself; C comes too late.
        static let povA: [UInt8] = [1, 2, 3]
        static let povB: [UInt8] = [42, 43, 44]
        static let povC: [UInt8] = [45, 46, 47]
        // Safe because: the fixture's candidates always erasure-code.
        static let candidateA = try! Scenario.candidate(pov: povA, head: [4, 5, 6])
        static let candidateB = try! Scenario.candidate(pov: povB, head: [4, 5, 6])
        static let candidateC = try! Scenario.candidate(pov: povC, head: [4, 5, 6])
        /// The other validators' statements, signed once: every run posts the same bytes, so runs differ
        /// only in our validator's own (randomised) signatures.
        static let secondedA2 = Scenario.sign(.seconded(candidateA), by: 2)
        static let validA3 = Scenario.sign(.valid(candidateA.hash), by: 3)
        static let validA5 = Scenario.sign(.valid(candidateA.hash), by: 5)
        static let validB2 = Scenario.sign(.valid(candidateB.hash), by: 2)
        static let validB3 = Scenario.sign(.valid(candidateB.hash), by: 3)
        static let relayParent = Scenario.relayParent
        static let statePath = "/v1/leaves/\(Scenario.relayParent.hex)"

        /// Where the scenario is killed.
        enum KillPoint: String, Sendable {
            case none
            /// (c) while our attest validation of A hangs: after Charlie's Seconded(A) was answered.
            case whileAttestingAValidates
            /// (a) after Seconded/Valid of 2, 3, 5 for A were answered (A backed, Alice attested).
            case afterTheImportsOfA
            /// (c) while our validation of B (after `POST /v1/second`) hangs.
            case whileSecondingBValidates
            /// (b) after our Seconded for B arrived as `statement.share`.
            case afterOurSecondedOfB
        }

        /// What a run of the scenario ends with.
        struct Outcome: Sendable {
            /// `GET /v1/leaves/{hash}` at the end (canonical JSON).
            let state: String
            /// `POST /v1/backed-candidates` for [A, B] at the end (canonical JSON, `encoded` included).
            let backed: String
            /// Our validator's signature of each statement it signed.
            let ourSignatures: [OurStatement: String]
            /// Distinct deliveries (by id) per event.
            let eventCounts: [String: Int]
        }

        /// The scenario without a crash, run once and compared with every crashed run.
        static let reference = Task { try await CrashRecoveryTests.run(killAt: .none) }

        /// Runs the issue's scenario, killing the node with SIGKILL at `killAt` and restarting it.
        static func run(killAt kill: KillPoint) async throws -> Outcome {
            let peer = try CrashPeer()
            peer.serve(povA, for: candidateA.hash)
            let node = CrashNode(
                peer: peer, peers: Scenario.keys.enumerated().map { ($0.offset, $0.element.publicKey) })
            try await node.launch()
            var backedAnswers: [[UInt8]] = []

            #expect(try await node.activate(Scenario.leaf()).status == 201)
            if kill == .whileAttestingAValidates { peer.hold(povA) }
            try await expectOK(node.post(secondedA2, at: relayParent), node)
            if kill == .whileAttestingAValidates {
                #expect(await eventually { peer.validations(of: povA) >= 1 }, "\(node.logs)")
                backedAnswers += try await crash(node) { peer.release(povA) }
                // The validation that was in flight at the crash runs again, on a PoV fetched again.
                #expect(await eventually { peer.validations(of: povA) >= 2 }, "\(node.logs)")
                #expect(peer.povFetches(of: candidateA.hash) >= 2)
            }
            // Alice attests A: her Valid arrives as statement.share.
            let ourValidA = await peer.waitForDelivery { delivery in
                delivery.event == "statement.share" && delivery.statement?.validatorIndex == 0
                    && delivery.statement?.payload == .valid(candidateA.hash)
            }
            #expect(ourValidA != nil, "no Valid of ours for A:\n\(node.logs)")
            try await expectOK(node.post(validA3, at: relayParent), node)
            try await expectOK(node.post(validA5, at: relayParent), node)
            #expect(await backedHook(for: candidateA, peer) != nil, "A never backed:\n\(node.logs)")
            if kill == .afterTheImportsOfA { backedAnswers += try await crash(node) }

            if kill == .whileSecondingBValidates { peer.hold(povB) }
            let secondB = try await node.second(candidateB, pov: povB, at: relayParent)
            #expect(secondB.status == 202)
            #expect(secondB.object?["accepted"] as? Bool == true, "\(secondB.text)")
            if kill == .whileSecondingBValidates {
                #expect(await eventually { peer.validations(of: povB) >= 1 }, "\(node.logs)")
                backedAnswers += try await crash(node) { peer.release(povB) }
                // Validated again after the restart, on the PoV of the journal: no peer has B's PoV.
                #expect(await eventually { peer.validations(of: povB) >= 2 }, "\(node.logs)")
                #expect(peer.povFetches(of: candidateB.hash) == 0)
            }
            let ourSecondedB = await peer.waitForDelivery { delivery in
                delivery.event == "statement.share" && delivery.statement?.validatorIndex == 0
                    && delivery.statement?.payload.candidateHash == candidateB.hash
            }
            #expect(ourSecondedB?.statement.map { if case .seconded = $0.payload { true } else { false } } == true)
            if kill == .afterOurSecondedOfB { backedAnswers += try await crash(node) }
            #expect(await peer.waitForDelivery { $0.event == "collator.seconded" } != nil, "\(node.logs)")

            // The issue's double seconding: a third candidate at the same relay parent is refused.
            let secondC = try await node.second(candidateC, pov: povC, at: relayParent)
            #expect(secondC.status == 202)
            #expect(secondC.object?["accepted"] as? Bool == false, "\(secondC.text)")
            #expect((secondC.object?["reason"] as? String)?.isEmpty == false, "\(secondC.text)")

            try await expectOK(node.post(validB2, at: relayParent), node)
            try await expectOK(node.post(validB3, at: relayParent), node)
            #expect(await backedHook(for: candidateB, peer) != nil, "B never backed:\n\(node.logs)")
            #expect(await node.outboxDrained(), "\(node.logs)")
            // Time for anything emitted again by mistake to arrive.
            try await Task.sleep(for: .milliseconds(300))

            let state = try await node.leafState(relayParent)
            let backed = try await node.backedCandidates([candidateA.hash, candidateB.hash], at: relayParent)
            #expect(backed.status == 200)
            backedAnswers.append(backed.body)
            let groups = LeafStateView(state)?.groups ?? [:]
            let deliveries = peer.deliveries
            var seen = SigningLedger.signatures(in: deliveries)
            for answer in backedAnswers {
                seen += SigningLedger.signatures(inBackedAnswer: answer, relayParent: relayParent, groups: groups)
            }
            SigningLedger.expectConsistent(seen)
            #expect(!seen.contains { $0.statement.candidate == candidateC.hash.hex.lowercased() })
            #expect(LeafStateView(state)?.seconded == candidateB.hash.hex.lowercased())
            // No event was emitted twice under different ids (nothing here posts anything twice).
            let repeated = Dictionary(grouping: deliveries, by: { "\($0.event) \($0.canonicalBody)" }).filter {
                $0.value.count > 1
            }
            #expect(repeated.isEmpty, "emitted again under new ids: \(repeated.keys.map { $0.prefix(80) })")
            #expect(peer.retriesThatDiffer.isEmpty, "\(peer.retriesThatDiffer)")

            #expect(await node.stop() == 0)
            await peer.stop()
            node.removeData()
            return Outcome(
                state: state, backed: CanonicalJSON.string(backed.body),
                ourSignatures: SigningLedger.byStatement(seen),
                eventCounts: Dictionary(grouping: deliveries, by: \.event).mapValues(\.count))
        }

        static func expectOK(
            _ answer: APIClient.Answer, _ node: CrashNode, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            #expect(
                answer.status == 200, "\(answer.status) \(answer.text)\n\(node.logs.suffix(4000))",
                sourceLocation: sourceLocation)
        }

        static func backedHook(for candidate: CommittedCandidateReceipt, _ peer: CrashPeer) async -> Delivery? {
            await peer.waitForDelivery {
                $0.event == "provisioner.backed" && $0.candidateHash == candidate.hash.hex.lowercased()
            }
        }

        /// `kill -9` and a restart on the same data folder with the same arguments; then `release` (after the
        /// checks, so that a held validation cannot change the state while it is compared). The restarted
        /// node answers 503 until ready, then shows the leaf and the backed candidates exactly as before,
        /// and takes the same leaf again with 200 and its state. Returns the backed answers it read.
        static func crash(
            _ node: CrashNode, then release: () -> Void = {}, sourceLocation: SourceLocation = #_sourceLocation
        ) async throws -> [[UInt8]] {
            let hashes = [candidateA.hash, candidateB.hash]
            let stateBefore = try await node.leafState(relayParent)
            let backedBefore = try await node.backedCandidates(hashes, at: relayParent)
            await node.kill()
            let readiness = try await node.launch(probe: statePath)
            #expect(readiness.violations.isEmpty, "\(readiness.violations)", sourceLocation: sourceLocation)
            #expect(
                readiness.probeBodies.allSatisfy { $0 == stateBefore },
                "the leaf was served before it was whole", sourceLocation: sourceLocation)
            let stateAfter = try await node.leafState(relayParent)
            #expect(stateAfter == stateBefore, "\(node.logs)", sourceLocation: sourceLocation)
            let backedAfter = try await node.backedCandidates(hashes, at: relayParent)
            #expect(backedAfter.status == 200, sourceLocation: sourceLocation)
            #expect(
                CanonicalJSON.string(backedAfter.body) == CanonicalJSON.string(backedBefore.body),
                sourceLocation: sourceLocation)
            let again = try await node.activate(Scenario.leaf())
            #expect(again.status == 200, "\(again.text)", sourceLocation: sourceLocation)
            #expect(CanonicalJSON.string(again.body) == stateBefore, sourceLocation: sourceLocation)
            release()
            return [backedBefore.body, backedAfter.body]
        }

        /// A crashed run ends as the run without a crash: the same leaf state, the same backed candidates
        /// byte for byte (`encoded` included) once our validator's fresh signatures are swapped for the
        /// reference's, and the same web-hooks (counted by delivery id).
        static func expectSameEnd(
            _ outcome: Outcome, _ reference: Outcome, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            #expect(outcome.state == reference.state, sourceLocation: sourceLocation)
            var backed = outcome.backed
            for (statement, signature) in outcome.ourSignatures {
                guard let theirs = reference.ourSignatures[statement] else {
                    Issue.record(
                        "our validator signed \(statement), the reference did not", sourceLocation: sourceLocation)
                    continue
                }
                backed = backed.replacingOccurrences(of: signature.dropFirst(2), with: theirs.dropFirst(2))
            }
            #expect(
                Set(outcome.ourSignatures.keys) == Set(reference.ourSignatures.keys), sourceLocation: sourceLocation)
            #expect(backed == reference.backed, sourceLocation: sourceLocation)
            #expect(outcome.eventCounts == reference.eventCounts, sourceLocation: sourceLocation)
        }

        @Test func theIssueScenarioWithoutACrashBacksAAndBWithOneSecondedOfOurs() async throws {
            let reference = try await Self.reference.value
            // availability.stored A, B; dispute.statements for 2, 0, 3, 5 on A and 0, 2, 3 on B;
            // statement.share Valid(A), Seconded(B); collator.seconded B; provisioner.backed A, B.
            #expect(
                reference.eventCounts == [
                    "availability.stored": 2, "dispute.statements": 7, "statement.share": 2, "collator.seconded": 1,
                    "provisioner.backed": 2,
                ])
            #expect(
                Set(reference.ourSignatures.keys.map(\.kind))
                    == ["seconded", "valid"])
            let view = try #require(LeafStateView(reference.state))
            #expect(view.votes == [Self.candidateA.hash.hex: 4, Self.candidateB.hash.hex: 3])
            #expect(view.backed == [Self.candidateA.hash.hex, Self.candidateB.hash.hex])
        }

        @Test func killMinus9AfterTheImportsOfARestoresTheLeafAndItsBackedCandidateAsARunWithoutCrash() async throws {
            let reference = try await Self.reference.value
            Self.expectSameEnd(try await Self.run(killAt: .afterTheImportsOfA), reference)
        }

        @Test func killMinus9AfterOurSecondedOfBRefusesASecondSecondedAndKeepsOurSignatureBytes() async throws {
            let reference = try await Self.reference.value
            Self.expectSameEnd(try await Self.run(killAt: .afterOurSecondedOfB), reference)
        }

        @Test func killMinus9WhileOurSecondValidationIsInFlightValidatesAgainFromTheJournalAndSecondsOnce()
            async throws
        {
            let reference = try await Self.reference.value
            Self.expectSameEnd(try await Self.run(killAt: .whileSecondingBValidates), reference)
        }

        @Test func killMinus9WhileOurAttestValidationIsInFlightFetchesAndValidatesAgainAndSignsValidOnce()
            async throws
        {
            let reference = try await Self.reference.value
            Self.expectSameEnd(try await Self.run(killAt: .whileAttestingAValidates), reference)
        }
    }
}

// MARK: - Re-activation

extension CrashTests.CrashRecoveryTests {
    @Test func reactivatingAnActiveOrRestoredLeafWithIdenticalDataAnswers200WithItsStateAndOtherDataStays409()
        async throws
    {
        let peer = try CrashPeer()
        let node = CrashNode(peer: peer, peers: Scenario.keys.enumerated().map { ($0.offset, $0.element.publicKey) })
        try await node.launch()
        let leaf = Scenario.leaf()
        var changed = leaf
        changed.number += 1
        let other = Scenario.leaf(hash: H256(repeating: 6))

        let first = try await node.activate(leaf)
        #expect(first.status == 201)
        try await Self.expectOK(node.post(Self.secondedA2, at: Self.relayParent), node)
        try await Self.expectOK(node.post(Self.validA5, at: Self.relayParent), node)
        let state = try await node.leafState(leaf.hash)
        let again = try await node.activate(leaf)
        #expect(again.status == 200, "\(again.text)")
        #expect(CanonicalJSON.string(again.body) == state)
        let conflict = try await node.activate(changed)
        #expect(conflict.status == 409)
        #expect(conflict.header("content-type")?.hasPrefix("application/problem+json") == true)
        // A leaf that was deactivated before the crash stays gone.
        #expect(try await node.activate(other).status == 201)
        #expect(try await node.api.send("DELETE", "/v1/leaves/\(other.hash.hex)").status == 204)

        await node.kill()
        let readiness = try await node.launch(probe: "/v1/leaves")
        #expect(readiness.violations.isEmpty, "\(readiness.violations)")
        #expect(try await node.leafState(leaf.hash) == state, "\(node.logs)")
        #expect(try await node.api.get("/v1/leaves/\(other.hash.hex)").status == 404)
        let listed = try await node.api.get("/v1/leaves")
        #expect(CanonicalJSON.string(listed.body) == "[\(state)]")

        let restored = try await node.activate(leaf)
        #expect(restored.status == 200, "\(restored.text)")
        #expect(CanonicalJSON.string(restored.body) == state)
        #expect(try await node.activate(changed).status == 409)
        // The deactivated leaf starts afresh.
        let fresh = try await node.activate(other)
        #expect(fresh.status == 201, "\(fresh.text)")
        #expect(LeafStateView(CanonicalJSON.string(fresh.body))?.votes.isEmpty == true)
        #expect(await node.stop() == 0)
        await peer.stop()
        node.removeData()
    }
}

// MARK: - Batches and restore

/// The statements of a big leaf for the batch tests: para 2's before any batch, then two large batches
/// (paras 3–11, paras 12–20); no statement for para 1, so our validator signs nothing and every state is
/// deterministic.
struct BatchPlan: Sendable {
    static let paras = 20
    static let groupSize = 6
    let big: BigLeaf
    let before: [PlannedStatement]
    let batches: [[PlannedStatement]]

    init() throws {
        let big = BigLeaf(hash: H256(repeating: 0x0b), paras: Self.paras, groupSize: Self.groupSize)
        self.big = big
        before = try big.plan(para: 2).statements
        batches = try [
            (3...11).flatMap { try big.plan(para: $0).statements },
            (12...Self.paras).flatMap { try big.plan(para: $0).statements },
        ]
    }

    // Safe because: plans of fixed paras always build.
    static let shared = try! BatchPlan()
}

extension CrashTests.CrashRecoveryTests {
    /// Posts `statements` one by one (Seconded) and the rest as one batch, expecting every one imported.
    static func postBefore(_ statements: [PlannedStatement], on node: CrashNode, at relayParent: Hash) async throws {
        let seconded = statements.filter { if case .seconded = $0.statement.payload { true } else { false } }
        for statement in seconded { expectOK(try await node.post(statement.statement, at: relayParent), node) }
        let rest = statements.filter { if case .valid = $0.statement.payload { true } else { false } }
        let answer = try await node.postBatch(rest.map(\.statement), at: relayParent)
        expectOK(answer, node)
    }

    /// Whether every entry of a batch answer imported a vote.
    static func allImported(_ answer: APIClient.Answer) -> Bool {
        guard answer.status == 200, let results = answer.object?["results"] as? [[String: Any]] else { return false }
        return results.allSatisfy { $0["summary"] is [String: Any] }
    }

    @Test func killMinus9DuringLargeStatementBatchesKeepsAllOrNoneOfEachAndEverythingAnsweredBefore() async throws {
        let plan = BatchPlan.shared
        let hash = plan.big.hash
        // The reference: the same posts without a crash, and how long each batch takes.
        let referencePeer = try CrashPeer()
        let reference = CrashNode(peer: referencePeer, peers: [])
        try await reference.launch()
        #expect(try await reference.activate(plan.big.leaf).status == 201)
        try await Self.postBefore(plan.before, on: reference, at: hash)
        var states = [try await reference.leafState(hash)]
        var durations: [Duration] = []
        for batch in plan.batches {
            let start = ContinuousClock.now
            let answer = try await reference.postBatch(batch.map(\.statement), at: hash)
            durations.append(ContinuousClock.now - start)
            #expect(Self.allImported(answer), "\(answer.text.prefix(300))")
            states.append(try await reference.leafState(hash))
        }
        #expect(Set(states).count == states.count)
        #expect(await reference.stop() == 0)
        await referencePeer.stop()
        reference.removeData()

        let peer = try CrashPeer()
        let node = CrashNode(peer: peer, peers: [])
        try await node.launch()
        #expect(try await node.activate(plan.big.leaf).status == 201)
        try await Self.postBefore(plan.before, on: node, at: hash)
        #expect(try await node.leafState(hash) == states[0])
        // The first batch is killed halfway (while its signatures are checked): none of it may survive,
        // or all. The second is killed as soon as its first web-hook reaches the receiver: it was committed
        // then, so all of it must survive, whether or not its answer got out.
        for (index, batch) in plan.batches.enumerated() {
            let api = node.api
            let body = try Scenario.json(BatchBody(relayParent: hash, statements: batch.map(\.statement)))
            let ofBatch = Set(batch.map { "\($0.validator) \($0.signatureHex)" })
            #expect(await node.outboxDrained())
            let hooksBefore = peer.server.requests(to: "/hooks").count
            let inFlight = Task { try? await api.send("POST", "/v1/statements/batch", body: body) }
            let killedOnWebhook = index == 1
            if killedOnWebhook {
                let reached = await eventually {
                    peer.server.requests(to: "/hooks").dropFirst(hooksBefore).contains { request in
                        Delivery(id: "", event: request.event ?? "", body: request.body).disputeSigners.contains {
                            ofBatch.contains("\($0.validator) \($0.signature)")
                        }
                    }
                }
                #expect(reached, "no web-hook of the batch:\n\(node.logs)")
            } else {
                try await Task.sleep(for: durations[index] / 2)
            }
            await node.kill()
            let answer = await inFlight.value
            let readiness = try await node.launch(probe: "/v1/leaves/\(hash.hex)")
            #expect(readiness.violations.isEmpty, "\(readiness.violations)")
            let restored = try await node.leafState(hash)
            let hadAll = restored == states[index + 1]
            if answer?.status == 200 || killedOnWebhook {
                #expect(hadAll, "a committed batch is not all there:\n\(node.logs)")
            } else {
                #expect(hadAll || restored == states[index], "a part of the batch survived:\n\(restored)")
            }
            #expect(readiness.probeBodies.allSatisfy { $0 == restored })
            // The web-hooks say the same: all of the batch's dispute.statements or none, and every one of
            // the statements answered before.
            #expect(await node.outboxDrained(), "\(node.logs)")
            let delivered = Set(
                peer.deliveries.filter { $0.event == "dispute.statements" }.flatMap { delivery in
                    delivery.disputeSigners.map { "\($0.validator) \($0.signature)" }
                })
            let answeredBefore = ([plan.before] + plan.batches.prefix(index)).joined().map {
                "\($0.validator) \($0.signatureHex)"
            }
            #expect(Set(answeredBefore).isSubset(of: delivered))
            #expect(ofBatch.intersection(delivered) == (hadAll ? ofBatch : []))
            print(
                "kill -9 \(killedOnWebhook ? "on its first web-hook" : "halfway") through a \(batch.count)-statement",
                "batch (\(durations[index]) without a kill):",
                "answered \(answer.map { "\($0.status)" } ?? "no"), restored \(hadAll ? "all" : "none") of it,",
                "/readyz 503 ×\(readiness.readyz503)")
            // The client that got no answer sends the batch again; then it is all there.
            let resent = try await node.postBatch(batch.map(\.statement), at: hash)
            #expect(resent.status == 200)
            #expect(try await node.leafState(hash) == states[index + 1])
        }
        #expect(await node.stop() == 0)
        await peer.stop()
        node.removeData()
    }

    @Test func restartAnswers503WithRetryAfterUntilEveryLeafIsRestoredEvenAfterKillMinus9DuringRestore()
        async throws
    {
        let plan = BatchPlan.shared
        let hash = plan.big.hash
        let peer = try CrashPeer()
        // A fixed port: the polls reach the node while it restores, before it prints its address.
        let port = try await CrashNode.unusedPort()
        let node = CrashNode(peer: peer, peers: [], port: port)
        try await node.launch()
        #expect(try await node.activate(plan.big.leaf).status == 201)
        // A second leaf, the fixture's, so that more than one leaf is restored.
        #expect(try await node.activate(Scenario.leaf()).status == 201)
        try await Self.expectOK(node.post(Self.secondedA2, at: Self.relayParent), node)
        try await Self.postBefore(plan.before, on: node, at: hash)
        for batch in plan.batches {
            #expect(Self.allImported(try await node.postBatch(batch.map(\.statement), at: hash)))
        }
        let state = try await node.leafState(hash)
        let fixtureState = try await node.leafState(Self.relayParent)
        let listed = CanonicalJSON.string(try await node.api.get("/v1/leaves").body)

        await node.kill()
        // Started again and killed again as soon as it answers at all, which is while it restores.
        let interrupted = BackingdProcess(arguments: node.arguments, dataDirectory: node.dataDirectory)
        let starting = Task { try await interrupted.start(listen: "127.0.0.1:\(port)") }
        let api = node.api
        var firstAnswer = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while firstAnswer == 0, ContinuousClock.now < deadline {
            firstAnswer = (try? await api.get("/readyz"))?.status ?? 0
            if firstAnswer == 0 { try await Task.sleep(for: .microseconds(500)) }
        }
        await interrupted.kill()
        _ = try? await starting.value

        let readiness = try await node.launch(probe: "/v1/leaves/\(hash.hex)")
        #expect(readiness.violations.isEmpty, "\(readiness.violations)")
        #expect(readiness.probeBodies.allSatisfy { $0 == state })
        let restoredLog = node.logs.split(separator: "\n").last { $0.contains("leaves restored") } ?? "no log"
        print(
            "restore of \(plan.before.count + plan.batches.joined().count + 1) statements on 2 leaves: the",
            "interrupted start first answered /readyz \(firstAnswer); the next answered /readyz",
            "\(readiness.readyz503) × 503 then 200, the leaf route \(readiness.probe503) × 503; \(restoredLog)")
        // A restore long enough to be seen (the node logs how long it took) was seen: 503, then 200.
        let restoreTook = restoredLog.split(separator: " ").first { $0.hasPrefix("elapsed=") }.flatMap {
            Double($0.dropFirst("elapsed=".count))
        }
        if let restoreTook, restoreTook > 0.02 {
            #expect(firstAnswer == 503)
            #expect(readiness.readyz503 > 0)
            #expect(readiness.probe503 > 0)
        }
        #expect(try await node.leafState(hash) == state, "\(node.logs)")
        #expect(try await node.leafState(Self.relayParent) == fixtureState)
        #expect(CanonicalJSON.string(try await node.api.get("/v1/leaves").body) == listed)
        #expect(await node.stop() == 0)
        await peer.stop()
        node.removeData()
    }
}
