import Backing
import BackingService
import Crypto
import Foundation
import Primitives
import ProspectiveParachains
import Webhooks

/// The batch import at async-backing leaves (`backingd-bench service-batch-async`): the v0.9.12 batch
/// figure's network (100 paras, groups of 5, 2,500 statements a leaf) under today's rules, where every
/// Seconded carries its validation data, is introduced into prospective parachains, and every backed
/// candidate rebuilds its para's fragment chain. Each group's five candidates form one chain (member i
/// seconds the i-th, on the head of the one before), so the chain is as deep as `maxCandidateDepth` 4
/// allows, and every validator seconds once.
enum AsyncServiceBenchmarks {
    static let paras = BenchNetwork.paras
    static let groupSize = BenchNetwork.groupSize
    static let leafNumber: BlockNumber = 10
    static let maxPovSize: UInt32 = 5 << 20
    static let codeHash: ValidationCodeHash = Blake2b.hash256(Array("bench code".utf8))

    static func para(_ p: Int) -> ParaId { ParaId(UInt32(1000 + p)) }
    static func genesisHead(_ p: Int) -> HeadData { HeadData(bytes: Array("genesis \(p)".utf8)) }
    static func stateRoot(_ leaf: Hash) -> Hash { Blake2b.hash256(Array("state root".utf8) + leaf.bytes) }

    /// An async-backing leaf of the bench network: one core per para in the claim queue, each para's
    /// constraints requiring its genesis head.
    static func leaf(_ hash: Hash) -> Leaf {
        var leaf = BenchNetwork.leaf(hash)
        leaf.number = leafNumber
        leaf.groupRotationInfo = GroupRotationInfo(
            sessionStartBlock: 0, groupRotationFrequency: 0, now: leafNumber + 1)
        leaf.availabilityCores = []
        leaf.claimQueue = ClaimQueue(
            Dictionary(uniqueKeysWithValues: (0..<paras).map { (CoreIndex(UInt32($0)), [para($0)]) }))
        leaf.asyncBackingParams = AsyncBackingParams(maxCandidateDepth: 4, allowedAncestryLen: 0)
        leaf.parentHash = Blake2b.hash256(Array("parent".utf8) + hash.bytes)
        leaf.stateRoot = stateRoot(hash)
        leaf.paraBackingState = Dictionary(
            uniqueKeysWithValues: (0..<paras).map { p in
                let constraints = Constraints(
                    minRelayParentNumber: leafNumber, maxPovSize: maxPovSize, maxCodeSize: 3 << 20,
                    maxHeadDataSize: 1 << 20, umpRemaining: 16, umpRemainingBytes: 64 << 10,
                    maxUmpNumPerCandidate: 16, dmpRemainingMessages: [], validWatermarks: [],
                    hrmpChannelsOut: [:], maxHrmpNumPerCandidate: 0, requiredParent: genesisHead(p),
                    validationCodeHash: codeHash)
                return (para(p), ParaBackingStateData(constraints: ConstraintsData(constraints)))
            })
        return leaf
    }

    /// Per leaf: the Seconded statements with their validation data, then the Valid ones.
    static func statements(_ relayParent: Hash) -> (
        seconded: [SignedFullStatement], valid: [SignedFullStatement], data: [PersistedValidationData]
    ) {
        let context = SigningContext(sessionIndex: 1, parentHash: relayParent)
        // A collator key makes the descriptors v1 (the leaf has no node features).
        let collator = BenchNetwork.keys[0].publicKey
        var seconded: [SignedFullStatement] = []
        var valid: [SignedFullStatement] = []
        var data: [PersistedValidationData] = []
        for p in 0..<paras {
            var parent = genesisHead(p)
            var candidates: [CommittedCandidateReceipt] = []
            for i in 0..<groupSize {
                let pvd = PersistedValidationData(
                    parentHead: parent, relayParentNumber: leafNumber, relayParentStorageRoot: stateRoot(relayParent),
                    maxPovSize: maxPovSize)
                let head = HeadData(bytes: Array("head \(p) \(i)".utf8))
                let commitments = CandidateCommitments(headData: head, hrmpWatermark: leafNumber)
                candidates.append(
                    CommittedCandidateReceipt(
                        descriptor: CandidateDescriptor(
                            paraId: para(p), relayParent: relayParent, collator: collator,
                            persistedValidationDataHash: pvd.hash, povHash: Blake2b.hash256([UInt8(i)]),
                            erasureRoot: .zero, paraHead: head.hash, validationCodeHash: codeHash),
                        commitments: commitments))
                data.append(pvd)
                parent = head
            }
            for i in 0..<groupSize {
                let member = p * groupSize + i
                let index = ValidatorIndex(UInt32(member))
                seconded.append(
                    .sign(
                        .seconded(candidates[i]), validatorIndex: index, context: context,
                        keypair: BenchNetwork.keys[member]))
                for (j, other) in candidates.enumerated() where j != i {
                    valid.append(
                        .sign(
                            .valid(other.hash), validatorIndex: index, context: context,
                            keypair: BenchNetwork.keys[member]))
                }
            }
        }
        return (seconded, valid, data)
    }

    static func batchBody(
        relayParent: Hash, statements: [SignedFullStatement], data: [PersistedValidationData]
    ) -> [UInt8] {
        struct Body: Encodable {
            let relayParent: Hash
            let statements: [SignedFullStatement]
            let persistedValidationData: [PersistedValidationData]?
        }
        // Safe because: statements always encode.
        return Array(
            try! JSONOutput.encode(
                Body(
                    relayParent: relayParent, statements: statements, persistedValidationData: data.isEmpty ? nil : data
                )))
    }

    /// The batch import over `leafCount` async-backing leaves, against the one-core verify rate measured
    /// before and after in the same run; then checks that every para's five candidates were backed.
    static func runBatchOnly(leafCount: Int = 16) async {
        print(
            "== batch import at async-backing leaves over loopback HTTP (\(leafCount) leaves × 2,500 statements; web-hooks: statement.backed) =="
        )
        let (node, _, receiverServer) = await ServiceBenchmarks.startNode(subscription: "statement.backed")
        let base = "http://127.0.0.1:\(node.server.port)"
        let curl = CurlClient(maxConnections: 4)
        let (single, _) = ServiceBenchmarks.statements(keys: BenchNetwork.keys, relayParent: H256(repeating: 0x11))
        let before = ServiceBenchmarks.measureVerify(single, keys: BenchNetwork.keys)

        let leaves = (0..<leafCount).map { H256(repeating: 0x90 + UInt8($0)) }
        var phases: [[[UInt8]]] = []
        var statementCount = 0
        for relayParent in leaves {
            // Safe because: the benchmark's leaf always encodes.
            let leafBody = Array(try! JSONOutput.encode(leaf(relayParent)))
            let answer = try? await curl.send(
                CurlRequest(
                    method: "POST", url: base + "/v1/leaves", headers: [("Content-Type", "application/json")],
                    body: leafBody))
            precondition(
                answer?.status == 201, "leaf: \(answer.map { String(decoding: $0.body, as: UTF8.self) } ?? "?")")
            let (seconded, valid, data) = statements(relayParent)
            statementCount += seconded.count + valid.count
            // 250 Seconded (50 paras' chains) per batch with their data, then the Valid ones.
            phases.append(
                stride(from: 0, to: seconded.count, by: 250).map { i in
                    batchBody(
                        relayParent: relayParent, statements: Array(seconded[i..<min(i + 250, seconded.count)]),
                        data: Array(data[i..<min(i + 250, data.count)]))
                })
            phases.append(
                stride(from: 0, to: valid.count, by: 250).map { i in
                    batchBody(
                        relayParent: relayParent, statements: Array(valid[i..<min(i + 250, valid.count)]), data: [])
                })
        }
        let start = ContinuousClock.now
        for bodies in phases {
            await ServiceBenchmarks.post(bodies, to: base + "/v1/statements/batch", curl: curl, concurrency: 2)
        }
        let rate = Double(statementCount) / ServiceBenchmarks.seconds(since: start)
        await ServiceBenchmarks.drain(base: base, curl: curl)
        let after = ServiceBenchmarks.measureVerify(single, keys: BenchNetwork.keys)
        let verifyRate = (before + after) / 2

        // Every para's chain of five must be backable at every leaf, or the figure measured refusals.
        var chained = 0
        for relayParent in leaves {
            struct Want: Encodable { let count: Int }
            struct Body: Encodable {
                let leaf: Hash
                let paras: [String: Want]
            }
            let body = Body(
                leaf: relayParent,
                paras: Dictionary(
                    uniqueKeysWithValues: (0..<paras).map { (String(para($0).rawValue), Want(count: groupSize)) }))
            // Safe because: the body always encodes.
            let answer = try? await curl.send(
                CurlRequest(
                    method: "POST", url: base + "/v1/backable-candidates",
                    headers: [("Content-Type", "application/json")], body: Array(try! JSONOutput.encode(body))))
            let object = answer.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) } as? [String: Any]
            let candidates = object?["candidates"] as? [String: [Any]] ?? [:]
            chained += candidates.values.filter { $0.count == groupSize }.count
        }
        print(
            String(
                format:
                    "batches of 250: %8.0f statements/s; sr25519 verify, 1 core %8.0f/s (before %.0f, after %.0f) → %.2f × 2 × single-core verify; target ≥ 0.8; chains of %d backable: %d of %d",
                rate, verifyRate, before, after, rate / (2 * verifyRate), groupSize, chained, leafCount * paras))
        await node.shutdown()
        await receiverServer.shutdown()
        curl.shutdown()
    }
}
