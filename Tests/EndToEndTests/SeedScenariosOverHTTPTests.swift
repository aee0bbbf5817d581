import Backing
import Crypto
import Foundation
import Primitives
import Testing

/// Polkadot's backing tests again, over HTTP against the real binary: statements and Seconds are posted,
/// the validator and PoV peers are a real HTTP server, and the seed's outgoing messages are checked as
/// the web-hooks the node delivers, in order.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct SeedScenariosOverHTTPTests {
    func expectEvents(
        _ hooks: [TestPeer.Recorded], _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(hooks.compactMap(\.event) == expected, sourceLocation: sourceLocation)
    }

    @Test func backingSecondWorks() async throws {
        let h = try await SeedHarness.start()
        let candidate = try Scenario.candidate(pov: [42, 43, 44], head: [4, 5, 6])
        h.onValidation(of: [42, 43, 44], .valid)
        #expect(try await h.second(candidate, pov: [42, 43, 44]).object?["accepted"] as? Bool == true)
        let hooks = await h.hooks(4)
        expectEvents(hooks, ["availability.stored", "dispute.statements", "statement.share", "collator.seconded"])
        #expect(hooks[1].disputeValidator == 0)
        #expect(hooks[2].statementKind == "seconded")
        #expect(hooks[2].json?["statement"] as? NSDictionary == hooks[3].json?["statement"] as? NSDictionary)
        await h.stop()
    }

    @Test func backingWorks() async throws {
        let h = try await SeedHarness.start()
        let candidate = try Scenario.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        h.onFetch(from: 2, candidate, [1, 2, 3])
        h.onValidation(of: [1, 2, 3], .valid)
        try await h.post(Scenario.sign(.seconded(candidate), by: 2))
        var hooks = await h.hooks(4)
        expectEvents(hooks, ["dispute.statements", "availability.stored", "dispute.statements", "statement.share"])
        #expect(hooks.map(\.disputeValidator) == [2, nil, 0, nil])
        #expect(hooks[3].statementKind == "valid")
        try await h.post(Scenario.sign(.valid(candidate.hash), by: 5))
        hooks = await h.hooks(6)
        expectEvents(Array(hooks.suffix(2)), ["dispute.statements", "provisioner.backed"])
        #expect(hooks[4].disputeValidator == 5)
        #expect(hooks[5].json?["candidateHash"] as? String == candidate.hash.hex)
        #expect(h.peer.requests.filter { $0.path.contains("/v1/povs/") }.count == 1)  // no new fetch after signed_b
        await h.stop()
    }

    @Test func backingWorksWhileValidationOngoing() async throws {
        let h = try await SeedHarness.start()
        let candidate = try Scenario.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        h.onFetch(from: 2, candidate, [1, 2, 3])
        h.onValidation(of: [1, 2, 3], .never)
        try await h.post(Scenario.sign(.seconded(candidate), by: 2))
        await h.peer.waitFor(1, to: "/validate")
        try await h.post(Scenario.sign(.valid(candidate.hash), by: 5))
        try await h.post(Scenario.sign(.valid(candidate.hash), by: 3))
        let hooks = await h.hooks(4)
        expectEvents(hooks, ["dispute.statements", "dispute.statements", "dispute.statements", "provisioner.backed"])
        #expect(hooks.prefix(3).map(\.disputeValidator) == [2, 5, 3])
        // candidate_backing_reorders_votes, through the API: votes in group order [2,0,3,5], bits 1,0,1,1.
        let backed = try #require(try await h.backedCandidates([candidate.hash]).first)
        #expect(backed["validatorIndices"] as? String == "0x100d")
        let votes = try #require(backed["validityVotes"] as? [[String: String]])
        #expect(votes.map { $0.keys.first } == ["implicit", "explicit", "explicit"])
        await h.stop()
    }

    @Test func backingMisbehaviorWorks() async throws {
        let h = try await SeedHarness.start()
        let candidate = try Scenario.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        h.onFetch(from: 2, candidate, [1, 2, 3])
        h.onValidation(of: [1, 2, 3], .valid)
        let seconded = Scenario.sign(.seconded(candidate), by: 2)
        try await h.post(seconded)
        _ = await h.hooks(4)
        let valid = Scenario.sign(.valid(candidate.hash), by: 2)
        try await h.post(valid)
        let hooks = await h.hooks(6)
        expectEvents(Array(hooks.suffix(2)), ["dispute.statements", "provisioner.misbehavior"])
        let report = try #require(hooks[5].json)
        #expect(report["validatorIndex"] as? Int == 2)
        let misbehavior = try #require(report["misbehavior"] as? [String: Any])
        #expect(misbehavior["kind"] as? String == "validityDoubleVote")
        #expect(misbehavior["variant"] as? String == "issuedAndValidity")
        let evidence = try JSONInput.decode(
            [SignedFullStatement].self, from: JSONSerialization.data(withJSONObject: misbehavior["statements"] as Any))
        #expect(evidence == [seconded, valid])
        #expect(
            evidence.allSatisfy {
                $0.isSignatureValid(context: Scenario.context, validator: Scenario.keys[2].publicKey)
            })
        await h.stop()
    }

    @Test func backingDontSecondInvalid() async throws {
        let h = try await SeedHarness.start()
        let invalid = try Scenario.candidate(pov: [42, 43, 44], head: [])
        let valid = try Scenario.candidate(pov: [45, 46, 47], head: [4, 5, 6])
        h.onValidation(of: [42, 43, 44], .invalid("bad return"))
        h.onValidation(of: [45, 46, 47], .valid)
        #expect(try await h.second(invalid, pov: [42, 43, 44]).object?["accepted"] as? Bool == true)
        let first = await h.hooks(1)
        expectEvents(first, ["collator.invalid"])
        #expect(first[0].json?["candidateHash"] as? String == invalid.hash.hex)
        #expect(try await h.second(valid, pov: [45, 46, 47]).object?["accepted"] as? Bool == true)
        let hooks = await h.hooks(5)
        expectEvents(
            Array(hooks.suffix(4)),
            ["availability.stored", "dispute.statements", "statement.share", "collator.seconded"])
        await h.stop()
    }

    @Test func backingSecondAfterFirstFailsWorks() async throws {
        let h = try await SeedHarness.start()
        let candidate = try Scenario.candidate(pov: [42, 43, 44], head: [])
        let other = try Scenario.candidate(pov: [3, 2, 1], head: [])
        h.onFetch(from: 2, candidate, [42, 43, 44])
        h.onValidation(of: [42, 43, 44], .invalid("bad return"))
        h.onValidation(of: [3, 2, 1], .never)
        try await h.post(Scenario.sign(.seconded(candidate), by: 2))
        await h.peer.waitFor(1, to: "/validate")
        // Wait until the invalid verdict has been applied: the candidate is then marked as issued.
        var refused = try await h.second(candidate, pov: [42, 43, 44])
        let deadline = ContinuousClock.now + .seconds(10)
        while refused.object?["reason"] as? String == "the candidate is already being validated",
            ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(20))
            refused = try await h.second(candidate, pov: [42, 43, 44])
        }
        #expect(refused.object?["accepted"] as? Bool == false)
        #expect(try await h.second(other, pov: [3, 2, 1]).object?["accepted"] as? Bool == true)
        let validations = await h.peer.waitFor(2, to: "/validate")
        #expect(((validations[1].json?["pov"] as? [String: Any])?["blockData"] as? String) == "0x030201")
        expectEvents(h.peer.requests(to: "/hooks"), ["dispute.statements"])  // no share, no collator message
        await h.stop()
    }

    @Test func backingWorksAfterFailedValidation() async throws {
        let h = try await SeedHarness.start()
        let candidate = try Scenario.candidate(pov: [42, 43, 44], head: [])
        h.onFetch(from: 2, candidate, [42, 43, 44])
        h.onValidation(of: [42, 43, 44], .internalError)
        try await h.post(Scenario.sign(.seconded(candidate), by: 2))
        await h.peer.waitFor(1, to: "/validate")
        #expect(try await h.backedCandidates([candidate.hash]).isEmpty)
        expectEvents(await h.hooks(1), ["dispute.statements"])
        await h.stop()
    }

    @Test func backingDoesntSecondWrongCollator() async throws {
        let cores: [CoreState] = [
            .scheduled(ScheduledCore(paraId: 1, collator: Scenario.keys[1].publicKey)),
            .scheduled(ScheduledCore(paraId: 2)),
            .scheduled(ScheduledCore(paraId: 3)),
        ]
        let h = try await SeedHarness.start(cores: cores)
        let candidate = try Scenario.candidate(pov: [42, 43, 44], head: [4, 5, 6])
        let answer = try await h.second(candidate, pov: [42, 43, 44])
        #expect(answer.object?["accepted"] as? Bool == false)
        #expect((answer.object?["reason"] as? String)?.contains("required collator") == true)
        expectEvents(await h.hooks(1), ["collator.invalid"])
        #expect(h.peer.requests(to: "/validate").isEmpty)
        await h.stop()
    }

    @Test func validationWorkIgnoresWrongCollator() async throws {
        let cores: [CoreState] = [
            .scheduled(ScheduledCore(paraId: 1, collator: Scenario.keys[1].publicKey)),
            .scheduled(ScheduledCore(paraId: 2)),
            .scheduled(ScheduledCore(paraId: 3)),
        ]
        let h = try await SeedHarness.start(cores: cores)
        let candidate = try Scenario.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        try await h.post(Scenario.sign(.seconded(candidate), by: 2))
        expectEvents(await h.hooks(1), ["dispute.statements"])
        await h.stop()
        #expect(h.peer.requests.filter { $0.path.contains("/v1/povs/") || $0.path == "/validate" }.isEmpty)
    }

    @Test func retryWorks() async throws {
        let h = try await SeedHarness.start()
        let candidate = try Scenario.candidate(pov: [42, 43, 44], head: [])
        h.onFetch(from: 2, candidate, nil)
        h.onFetch(from: 3, candidate, nil)
        h.onFetch(from: 5, candidate, [42, 43, 44])
        h.onValidation(of: [42, 43, 44], .never)
        try await h.post(Scenario.sign(.seconded(candidate), by: 2))
        await h.peer.waitFor(1, to: "/v2/v1/povs/\(candidate.hash.hex)")
        try await h.post(Scenario.sign(.valid(candidate.hash), by: 3))
        await h.peer.waitFor(1, to: "/v3/v1/povs/\(candidate.hash.hex)")
        try await h.post(Scenario.sign(.valid(candidate.hash), by: 5))
        let hooks = await h.hooks(4)
        expectEvents(hooks, ["dispute.statements", "dispute.statements", "dispute.statements", "provisioner.backed"])
        await h.peer.waitFor(1, to: "/v5/v1/povs/\(candidate.hash.hex)")
        let validation = try #require(await h.peer.waitFor(1, to: "/validate").first?.json)
        #expect(((validation["pov"] as? [String: Any])?["blockData"] as? String) == "0x2a2b2c")
        await h.stop()
    }

    @Test func observesBackingEvenIfNotValidator() async throws {
        let h = try await SeedHarness.start(validator: nil)
        let candidate = try Scenario.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        try await h.post(Scenario.sign(.seconded(candidate), by: 0))
        try await h.post(Scenario.sign(.valid(candidate.hash), by: 5))
        try await h.post(Scenario.sign(.valid(candidate.hash), by: 2))
        let hooks = await h.hooks(4)
        expectEvents(hooks, ["dispute.statements", "dispute.statements", "dispute.statements", "provisioner.backed"])
        #expect(hooks.prefix(3).map(\.disputeValidator) == [0, 5, 2])
        #expect(h.peer.requests.filter { $0.path.contains("/v1/povs/") || $0.path == "/validate" }.isEmpty)
        let state = try await h.api.get("/v1/leaves/\(Scenario.relayParent.hex)")
        #expect(state.object?["validatorIndex"] is NSNull)
        await h.stop()
    }
}
