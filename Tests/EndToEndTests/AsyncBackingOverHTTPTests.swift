import Backing
import Crypto
import Foundation
import Primitives
import ProspectiveParachains
import TestSupport
import Testing
import Validation
import Webhooks

/// Asynchronous backing over HTTP against the real binary: the adder para's candidates are validated by
/// the embedded PVF, signed by //Alice and by the test's dev keys, and assembled by
/// `POST /v1/backable-candidates` as the provisioner asks for them.
///
/// The relay chain: blocks 7…11 (hash 0x87…, 0x88…, …); the leaf is block 10 and allows its parent and
/// grandparent (allowedAncestryLen 2, para 100's minimum relay parent 8). Groups [[2,0,3,5],[1],[4]] on
/// cores 0, 1, 2; para 100 is claimed on cores 0 and 1 (elastic scaling), para 200 on core 2.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct AsyncBackingOverHTTPTests {
    static func block(_ number: BlockNumber) -> Hash { H256(repeating: 0x80 + UInt8(number)) }
    static func stateRoot(_ number: BlockNumber) -> Hash { H256(repeating: 0x40 + UInt8(number)) }
    static let para: ParaId = 100
    static let maxPovSize: UInt32 = 5 << 20
    static let genesis = AdderParachain.Head.genesis()

    static func leaf(number: BlockNumber = 10, maxCandidateDepth: UInt32 = 3, ancestors: Int = 3) -> Leaf {
        let constraints = Constraints(
            minRelayParentNumber: 8, maxPovSize: maxPovSize, maxCodeSize: 3 << 20, maxHeadDataSize: 1 << 20,
            umpRemaining: 10, umpRemainingBytes: 1000, maxUmpNumPerCandidate: 10, dmpRemainingMessages: [],
            validWatermarks: [], hrmpChannelsOut: [:], maxHrmpNumPerCandidate: 0,
            requiredParent: genesis.headData, validationCodeHash: AdderParachain.validationCodeHash)
        return Leaf(
            hash: block(number), number: number, sessionIndex: 1, validators: Scenario.keys.map(\.publicKey),
            validatorGroups: [[2, 0, 3, 5], [1], [4]],
            groupRotationInfo: GroupRotationInfo(sessionStartBlock: 0, groupRotationFrequency: 100, now: number + 1),
            availabilityCores: [],
            claimQueue: ClaimQueue([0: [para, para, para], 1: [para, para, para], 2: [200, 200, 200]]),
            nodeFeatures: NodeFeatures(enabled: [.candidateReceiptV2, .elasticScalingMVP]), schedulingLookahead: 3,
            asyncBackingParams: AsyncBackingParams(maxCandidateDepth: maxCandidateDepth, allowedAncestryLen: 2),
            parentHash: block(number - 1), stateRoot: stateRoot(number),
            ancestry: (1...ancestors).map { back in
                let n = number - BlockNumber(back)
                return AncestorBlock(hash: block(n), number: n, parentHash: block(n - 1), stateRoot: stateRoot(n))
            },
            paraBackingState: [para: ParaBackingStateData(constraints: ConstraintsData(constraints))])
    }

    /// The adder's next block on `parent` at relay parent `number`, as a V2 candidate on `core`.
    static func collate(
        on parent: AdderParachain.Head, add: UInt64, at number: BlockNumber, core: CoreIndex = 0
    ) throws -> AdderCollator.Collation {
        try AdderCollator.collate(
            parentHead: parent.headData, block: AdderParachain.Block(state: stateOf(parent), add: add),
            context: AdderCollator.Context(
                paraId: para, relayParent: block(number), relayParentNumber: number,
                relayParentStorageRoot: stateRoot(number), maxPovSize: maxPovSize, validatorCount: 6, v2Core: core,
                sessionIndex: 1),
            collator: Sr25519Keypair.dev("Two"))
    }

    /// The adder state a head commits to, found by trying the sums this suite builds (0…64).
    static func stateOf(_ head: AdderParachain.Head) -> UInt64 {
        (0...64).first { AdderParachain.hashState($0) == head.postState } ?? 0
    }

    struct Harness {
        let peer: TestPeer
        let node: BackingdProcess
        let api: APIClient
        let curl: CurlClient

        static func start(_ leaf: Leaf) async throws -> Harness {
            let peer = try TestPeer()
            let node = BackingdProcess(arguments: ["--validator-seed", "//Alice", "--webhook", "*=\(peer.url)/hooks"])
            try await node.start()
            let curl = CurlClient()
            let harness = Harness(
                peer: peer, node: node, api: APIClient(baseURL: node.baseURL, client: curl), curl: curl)
            let registered = try await harness.api.send(
                "PUT", "/v1/validation-code",
                body: try Scenario.json(["code": Bytes(bytes: AdderParachain.validationCode.bytes)]))
            #expect(registered.status == 201 || registered.status == 200, "\(registered.text)")
            let activated = try await harness.api.send("POST", "/v1/leaves", body: try Scenario.json(leaf))
            #expect(activated.status == 201, "\(activated.text)")
            return harness
        }

        struct SecondBody: Encodable {
            let relayParent: Hash
            let candidate: CandidateReceipt
            let pov: PoV
            let persistedValidationData: PersistedValidationData?
        }

        func second(_ collation: AdderCollator.Collation, withData: Bool = true) async throws -> APIClient.Answer {
            try await api.send(
                "POST", "/v1/second",
                body: try Scenario.json(
                    SecondBody(
                        relayParent: collation.relayParent, candidate: collation.candidate, pov: collation.pov,
                        persistedValidationData: withData ? collation.persistedValidationData : nil)))
        }

        struct StatementBody: Encodable {
            let relayParent: Hash
            let statement: SignedFullStatement
            let persistedValidationData: PersistedValidationData?
        }

        /// Validator `index`'s statement at the collation's relay parent, signed there.
        func post(
            _ statement: Statement, by index: UInt32, at relayParent: Hash,
            data: PersistedValidationData? = nil
        ) async throws -> APIClient.Answer {
            let signed = SignedFullStatement.sign(
                statement, validatorIndex: ValidatorIndex(index),
                context: SigningContext(sessionIndex: 1, parentHash: relayParent), keypair: Scenario.keys[Int(index)])
            return try await api.send(
                "POST", "/v1/statements",
                body: try Scenario.json(
                    StatementBody(relayParent: relayParent, statement: signed, persistedValidationData: data)))
        }

        /// Charlie's Valid for a collation (with Alice's Seconded, the two votes para 100's group needs).
        func charlieValid(_ collation: AdderCollator.Collation) async throws {
            let answer = try await post(.valid(collation.candidateHash), by: 2, at: collation.relayParent)
            #expect(answer.status == 200, "\(answer.text)")
        }

        /// Web-hooks of `event` about `candidate`, waiting up to 20 s for `count` of them.
        func hooks(_ event: String, count: Int = 1) async -> [TestPeer.Recorded] {
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                let found = peer.requests(to: "/hooks").filter { $0.event == event }
                if found.count >= count { return found }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return peer.requests(to: "/hooks").filter { $0.event == event }
        }

        func backable(leaf: Hash, count: Int, ancestors: [CandidateHash] = []) async throws -> [[String: Any]] {
            let answer = try await api.post(
                "/v1/backable-candidates",
                json: ["leaf": leaf.hex, "paras": ["100": ["count": count, "ancestors": ancestors.map(\.hex)]]])
            #expect(answer.status == 200, "\(answer.text)")
            return ((answer.object?["candidates"] as? [String: Any])?["100"] as? [[String: Any]]) ?? []
        }

        func stop() async {
            #expect(await node.stop() == 0)
            curl.shutdown()
            await peer.stop()
        }
    }

    @Test func aChainOfThreeCandidatesAcrossTwoRelayParentsIsBackedInOrder() async throws {
        let leaf = Self.leaf()
        let h = try await Harness.start(leaf)
        let a1 = try Self.collate(on: Self.genesis, add: 1, at: 9)
        let a2 = try Self.collate(on: a1.head, add: 2, at: 10)
        let a3 = try Self.collate(on: a2.head, add: 3, at: 10)
        for (position, collation) in [a1, a2, a3].enumerated() {
            let answer = try await h.second(collation)
            #expect(answer.status == 202)
            #expect(answer.object?["accepted"] as? Bool == true, "\(answer.text)")
            let seconded = await h.hooks("collator.seconded", count: position + 1)
            #expect(seconded.count == position + 1)
        }
        // Our Seconded statements travel with their validation data, postable to a peer as they are.
        let shares = await h.hooks("statement.share", count: 3)
        #expect(shares.allSatisfy { $0.json?["persistedValidationData"] != nil })
        #expect(shares.map { $0.json?["relayParent"] as? String } == [a1, a2, a3].map { $0.relayParent.hex })
        // Today's backing tells the dispute coordinator nothing.
        #expect(h.peer.requests(to: "/hooks").allSatisfy { $0.event != "dispute.statements" })

        for collation in [a1, a2, a3] { try await h.charlieValid(collation) }
        let backedHooks = await h.hooks("statement.backed", count: 3)
        #expect(
            Set(backedHooks.compactMap { $0.json?["candidateHash"] as? String })
                == Set([a1, a2, a3].map(\.candidateHash.hex)))
        #expect(backedHooks.allSatisfy { $0.json?["coreIndex"] as? Int == 0 && $0.json?["paraId"] as? Int == 100 })

        let backable = try await h.backable(leaf: leaf.hash, count: 3)
        #expect(
            backable.map { ($0["candidate"] as? [String: Any]).flatMap(Self.hash(of:)) }
                == [a1, a2, a3].map(\.candidateHash.hex))
        // Group [2, 0, 3, 5] with votes of 2 (Charlie) and 0 (Alice): bits 1100, then core 0's 8 bits.
        #expect(backable.allSatisfy { $0["validatorIndices"] as? String == "0x300300" && $0["coreIndex"] as? Int == 0 })
        // After a1 (pending availability, say), the chain continues at a2.
        let after = try await h.backable(leaf: leaf.hash, count: 3, ancestors: [a1.candidateHash])
        #expect(after.count == 2)

        // Backing's own GetBackableCandidates: a wrong first entry gives nothing, a wrong second only the first.
        func lookUp(_ entries: [(CandidateHash, Hash)]) async throws -> Int {
            let answer = try await h.api.post(
                "/v1/backable-candidates",
                json: ["candidates": ["100": entries.map { ["candidateHash": $0.0.hex, "relayParent": $0.1.hex] }]])
            #expect(answer.status == 200, "\(answer.text)")
            return (((answer.object?["candidates"] as? [String: Any])?["100"]) as? [Any])?.count ?? 0
        }
        #expect(try await lookUp([(a1.candidateHash, a1.relayParent), (a2.candidateHash, a2.relayParent)]) == 2)
        #expect(try await lookUp([(a1.candidateHash, a2.relayParent), (a2.candidateHash, a2.relayParent)]) == 0)
        #expect(try await lookUp([(a1.candidateHash, a1.relayParent), (a3.candidateHash, Self.block(7))]) == 1)

        // The leaf shows the relay parents it allows and the para's chain.
        let state = try await h.api.get("/v1/leaves/\(leaf.hash.hex)").object
        let async = try #require(state?["asyncBacking"] as? [String: Any])
        #expect(async["allowedRelayParents"] as? [String] == [10, 9, 8].map { Self.block($0).hex })
        let chain = (async["chains"] as? [String: Any])?["100"] as? [String: Any]
        #expect(chain?["bestChain"] as? [String] == [a1, a2, a3].map(\.candidateHash.hex))
        await h.stop()
    }

    static func hash(of candidate: [String: Any]) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: candidate),
            let receipt = try? JSONDecoder().decode(CommittedCandidateReceipt.self, from: data)
        else { return nil }
        return receipt.hash.hex
    }

    @Test func aCandidateWhoseParentIsUnknownWaitsUnconnectedAndIsBackedOnceItsParentArrives() async throws {
        let leaf = Self.leaf()
        let h = try await Harness.start(leaf)
        let b1 = try Self.collate(on: Self.genesis, add: 5, at: 9)
        let b2 = try Self.collate(on: b1.head, add: 6, at: 10)
        // The child first: it has potential, so it is seconded and backed, but not yet backable.
        #expect(try await h.second(b2).object?["accepted"] as? Bool == true)
        #expect(await h.hooks("collator.seconded").count == 1)
        try await h.charlieValid(b2)
        #expect(await h.hooks("statement.backed").count == 1)
        #expect(try await h.backable(leaf: leaf.hash, count: 2).isEmpty)
        let waiting = try await h.api.get("/v1/leaves/\(leaf.hash.hex)").object
        let chain =
            ((waiting?["asyncBacking"] as? [String: Any])?["chains"] as? [String: Any])?["100"] as? [String: Any]
        #expect(chain?["unconnected"] as? [String] == [b2.candidateHash.hex])
        #expect((chain?["bestChain"] as? [String])?.isEmpty == true)

        // Its parent arrives: both are backable, in chain order.
        #expect(try await h.second(b1).object?["accepted"] as? Bool == true)
        #expect(await h.hooks("collator.seconded", count: 2).count == 2)
        try await h.charlieValid(b1)
        #expect(await h.hooks("statement.backed", count: 2).count == 2)
        let backable = try await h.backable(leaf: leaf.hash, count: 2)
        #expect(
            backable.compactMap { ($0["candidate"] as? [String: Any]).flatMap(Self.hash(of:)) }
                == [b1, b2].map(\.candidateHash.hex))
        await h.stop()
    }

    @Test func anElasticParaGetsTwoCandidatesBackedAtOneRelayParentOnCoresZeroAndOne() async throws {
        let leaf = Self.leaf()
        let h = try await Harness.start(leaf)
        let c1 = try Self.collate(on: Self.genesis, add: 7, at: 10, core: 0)
        let c2 = try Self.collate(on: c1.head, add: 8, at: 10, core: 1)
        #expect(try await h.second(c1).object?["accepted"] as? Bool == true)
        #expect(await h.hooks("collator.seconded").count == 1)
        try await h.charlieValid(c1)
        // Core 1's group is Bob alone: his Seconded backs c2 (min(group size 1, 2 votes) = 1).
        let c2Receipt = CommittedCandidateReceipt(descriptor: c2.candidate.descriptor, commitments: c2.commitments)
        let bob = try await h.post(.seconded(c2Receipt), by: 1, at: c2.relayParent, data: c2.persistedValidationData)
        #expect(bob.status == 200, "\(bob.text)")
        #expect(await h.hooks("statement.backed", count: 2).count == 2)

        let backable = try await h.backable(leaf: leaf.hash, count: 2)
        #expect(backable.map { $0["coreIndex"] as? Int } == [0, 1])
        // c2: Bob's implicit vote (the one bit of a 1-member group), then core 1's byte in Lsb0 bits:
        // 9 bits, compact(9) = 0x24, then 0b11 = 0x03 and 0x00.
        #expect(backable.last?["validatorIndices"] as? String == "0x240300")
        #expect((backable.last?["encoded"] as? String)?.hasSuffix("240300") == true)
        // We are not in core 1's group: we did not validate c2 (our only Valid would be for it).
        try await Task.sleep(for: .milliseconds(300))
        #expect(h.peer.requests(to: "/hooks").filter { $0.event == "statement.share" }.count == 1)
        await h.stop()
    }

    /// `POST /v1/statements/batch` at an async-backing relay parent: the batch's `persistedValidationData`
    /// (any order) serve its Seconded statements by hash; a Seconded whose data is missing gets a 400 in its
    /// place and the rest of the batch is imported.
    @Test func aBatchCarriesTheValidationDataOfItsSecondedStatementsAndOneWithoutItIsRefusedAlone() async throws {
        let leaf = Self.leaf()
        let h = try await Harness.start(leaf)
        let c1 = try Self.collate(on: Self.genesis, add: 3, at: 10, core: 0)
        let c2 = try Self.collate(on: c1.head, add: 4, at: 10, core: 1)
        func signed(_ statement: Statement, by index: UInt32) -> SignedFullStatement {
            SignedFullStatement.sign(
                statement, validatorIndex: ValidatorIndex(index),
                context: SigningContext(sessionIndex: 1, parentHash: c1.relayParent), keypair: Scenario.keys[Int(index)]
            )
        }
        let receipt1 = CommittedCandidateReceipt(descriptor: c1.candidate.descriptor, commitments: c1.commitments)
        let receipt2 = CommittedCandidateReceipt(descriptor: c2.candidate.descriptor, commitments: c2.commitments)
        struct Batch: Encodable {
            let relayParent: Hash
            let statements: [SignedFullStatement]
            let persistedValidationData: [PersistedValidationData]
        }
        // Charlie seconds c1 and Dave backs it (core 0's group); Bob's Seconded of c2 comes without its data.
        let batch = Batch(
            relayParent: c1.relayParent,
            statements: [
                signed(.seconded(receipt1), by: 2), signed(.seconded(receipt2), by: 1),
                signed(.valid(c1.candidateHash), by: 3),
            ],
            persistedValidationData: [c1.persistedValidationData])
        let answer = try await h.api.send("POST", "/v1/statements/batch", body: try Scenario.json(batch))
        #expect(answer.status == 200, "\(answer.text)")
        let results = try #require(answer.object?["results"] as? [[String: Any]])
        #expect(results.count == 3)
        #expect(results[0]["error"] == nil, "\(results[0])")
        let refused = try #require(results[1]["error"] as? [String: Any], "\(results[1])")
        #expect(refused["status"] as? Int == 400)
        let detail = refused["detail"] as? String ?? ""
        #expect(detail.contains("persistedValidationData") && detail.contains("statements[1]"), "\(detail)")
        #expect((results[2]["summary"] as? [String: Any])?["validityVotes"] as? Int == 2, "\(results[2])")
        #expect(await h.hooks("statement.backed").count == 1)
        // c1 alone is backable: c2 was never imported.
        let backable = try await h.backable(leaf: leaf.hash, count: 2)
        #expect(
            backable.compactMap { ($0["candidate"] as? [String: Any]).flatMap(Self.hash(of:)) }
                == [c1.candidateHash.hex])
        // The same Seconded with its data in a second batch is imported.
        let again = try await h.api.send(
            "POST", "/v1/statements/batch",
            body: try Scenario.json(
                Batch(
                    relayParent: c1.relayParent, statements: [signed(.seconded(receipt2), by: 1)],
                    persistedValidationData: [c2.persistedValidationData, c1.persistedValidationData])))
        #expect((again.object?["results"] as? [[String: Any]])?.first?["error"] == nil, "\(again.text)")
        #expect(await h.hooks("statement.backed", count: 2).count == 2)
        #expect(
            try await h.backable(leaf: leaf.hash, count: 2).compactMap {
                ($0["candidate"] as? [String: Any]).flatMap(Self.hash(of:))
            } == [c1.candidateHash.hex, c2.candidateHash.hex])
        await h.stop()
    }

    @Test func aSecondBeyondTheSecondingLimitIsRefusedAndStatementsOutsideTheViewAreRefused() async throws {
        // maxCandidateDepth 1: at most 2 Seconded of ours per relay parent.
        let leaf = Self.leaf(maxCandidateDepth: 1)
        let h = try await Harness.start(leaf)
        let d1 = try Self.collate(on: Self.genesis, add: 9, at: 10)
        let d2 = try Self.collate(on: d1.head, add: 10, at: 10)
        let d3 = try Self.collate(on: d2.head, add: 11, at: 10)
        #expect(try await h.second(d1).object?["accepted"] as? Bool == true)
        #expect(try await h.second(d2).object?["accepted"] as? Bool == true)
        let third = try await h.second(d3)
        #expect(third.status == 202)
        #expect(third.object?["accepted"] as? Bool == false)
        #expect((third.object?["reason"] as? String)?.hasPrefix("seconding limit") == true, "\(third.text)")

        // A Second without its validation data is bad input, naming the field.
        let noData = try await h.second(d3, withData: false)
        #expect(noData.status == 400)
        #expect(noData.text.contains("persistedValidationData"), "\(noData.text)")

        // Block 7 is beyond allowedAncestryLen: no state there.
        let outside = try await h.post(.valid(d1.candidateHash), by: 2, at: Self.block(7))
        #expect(outside.status == 404, "\(outside.text)")
        // A Seconded at an allowed relay parent needs its validation data, and the right one.
        let receipt = CommittedCandidateReceipt(descriptor: d3.candidate.descriptor, commitments: d3.commitments)
        let missing = try await h.post(.seconded(receipt), by: 2, at: d3.relayParent)
        #expect(missing.status == 400, "\(missing.text)")
        var wrong = d3.persistedValidationData
        wrong.maxPovSize += 1
        let mismatched = try await h.post(.seconded(receipt), by: 2, at: d3.relayParent, data: wrong)
        #expect(mismatched.status == 422, "\(mismatched.text)")
        #expect(mismatched.text.contains("persistedValidationData"))

        // CanSecond: a candidate on the genesis head at an allowed relay parent can be seconded; not at an
        // unknown relay parent, nor for a para without a chain.
        func canSecond(_ para: Int, _ relayParent: Hash) async throws -> Bool? {
            try await h.api.post(
                "/v1/can-second",
                json: [
                    "paraId": para, "relayParent": relayParent.hex, "candidateHash": H256(repeating: 0xcc).hex,
                    "parentHeadDataHash": Self.genesis.headData.hash.hex,
                ]
            ).object?["canSecond"] as? Bool
        }
        #expect(try await canSecond(100, Self.block(9)) == true)
        #expect(try await canSecond(100, Self.block(7)) == false)
        #expect(try await canSecond(200, Self.block(9)) == false)
        await h.stop()
    }

    @Test func everythingAcknowledgedAtAsyncBackingRelayParentsSurvivesAKill9() async throws {
        let leaf10 = Self.leaf()
        let h = try await Harness.start(leaf10)
        let e1 = try Self.collate(on: Self.genesis, add: 12, at: 9)
        let e2 = try Self.collate(on: e1.head, add: 13, at: 10)
        #expect(try await h.second(e1).object?["accepted"] as? Bool == true)
        #expect(try await h.second(e2).object?["accepted"] as? Bool == true)
        #expect(await h.hooks("collator.seconded", count: 2).count == 2)
        try await h.charlieValid(e1)
        try await h.charlieValid(e2)
        #expect(await h.hooks("statement.backed", count: 2).count == 2)
        // A child leaf shares blocks 10 and 9; the old leaf goes, its state stays as a relay parent's.
        let leaf11 = Self.leaf(number: 11)
        #expect(try await h.api.send("POST", "/v1/leaves", body: try Scenario.json(leaf11)).status == 201)
        #expect(try await h.api.send("DELETE", "/v1/leaves/\(leaf10.hash.hex)").status == 204)
        #expect(try await h.api.get("/v1/leaves/\(Self.block(8).hex)").status == 404)

        func snapshot(_ api: APIClient) async throws -> [String] {
            var bodies: [String] = []
            for block in [11, 10, 9] as [BlockNumber] {
                let state = try await api.get("/v1/leaves/\(Self.block(block).hex)")
                #expect(state.status == 200, "\(state.text)")
                bodies.append(CanonicalJSON.string(state.body))
            }
            bodies.append(CanonicalJSON.string(try await api.get("/v1/leaves").body))
            let backable = try await api.post(
                "/v1/backable-candidates", json: ["leaf": leaf11.hash.hex, "paras": ["100": ["count": 3]]])
            bodies.append(CanonicalJSON.string(backable.body))
            return bodies
        }
        let before = try await snapshot(h.api)
        #expect(before.last?.contains(Hex.encode(e2.commitments.headData.bytes)) == true, "\(before)")
        let hooksBefore = h.peer.requests(to: "/hooks").count

        await h.node.kill()
        try await h.node.start()
        let api = APIClient(baseURL: h.node.baseURL, client: h.curl)
        var ready = false
        for _ in 0..<200 where !ready {
            ready = (try? await api.get("/readyz").status) == 200
            if !ready { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(ready)
        let after = try await snapshot(api)
        #expect(after == before)
        // Replayed history sends nothing again.
        try await Task.sleep(for: .milliseconds(500))
        #expect(h.peer.requests(to: "/hooks").count == hooksBefore)
        await h.stop()
    }
}
