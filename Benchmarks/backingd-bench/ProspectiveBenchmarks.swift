import Crypto
import Foundation
import Primitives
import ProspectiveParachains

/// Prospective parachains at one leaf: 100 paras, each a chain of 10 candidates (maxCandidateDepth 9, so
/// the best chain holds all 10). Measures introducing every candidate (`IntroduceSecondedCandidate`),
/// backing every one (`CandidateBacked`), and `GetBackableCandidates` of the whole chain per para. The
/// baseline is one sr25519 verify (every Seconded that reaches prospective parachains cost one), measured
/// in the same run.
enum ProspectiveBenchmarks {
    static let paras = 100
    static let depth = 10

    static func run() {
        print("== prospective parachains: \(paras) paras × chains of \(depth) at one leaf ==")
        let verify = verifySeconds()
        print(String(format: "baseline sr25519 verify, 1 core:          %8.2f µs", verify * 1e6))
        let leafHash = H256(repeating: 0x42)
        let chains = (0..<paras).map { chain(para: ParaId(UInt32(1000 + $0)), relayParent: leafHash) }
        var best = (introduce: Double.infinity, back: Double.infinity, query: Double.infinity)
        for _ in 0..<3 {
            var view = ProspectiveParachainsView()
            view.activate(leaf(leafHash))
            var start = ContinuousClock.now
            for (index, candidates) in chains.enumerated() {
                for candidate in candidates {
                    precondition(
                        view.introduceSeconded(
                            para: ParaId(UInt32(1000 + index)), receipt: candidate.receipt,
                            persistedValidationData: candidate.pvd))
                }
            }
            best.introduce = min(best.introduce, seconds(since: start) / Double(paras * depth))
            start = ContinuousClock.now
            for (index, candidates) in chains.enumerated() {
                for candidate in candidates {
                    view.candidateBacked(para: ParaId(UInt32(1000 + index)), candidateHash: candidate.receipt.hash)
                }
            }
            best.back = min(best.back, seconds(since: start) / Double(paras * depth))
            start = ContinuousClock.now
            for index in 0..<paras {
                let found = view.backableCandidates(leaf: leafHash, para: ParaId(UInt32(1000 + index)), count: depth)
                precondition(found.count == depth)
            }
            best.query = min(best.query, seconds(since: start) / Double(paras))
        }
        print(
            String(
                format: "introduce a seconded candidate:           %8.2f µs  (%.2f × one verify)", best.introduce * 1e6,
                best.introduce / verify))
        print(
            String(
                format: "back a candidate:                         %8.2f µs  (%.2f × one verify)", best.back * 1e6,
                best.back / verify))
        print(
            String(
                format: "GetBackableCandidates, chain of %d:       %8.2f µs  (%.2f × one verify)", depth,
                best.query * 1e6, best.query / verify))
    }

    static func leaf(_ hash: Hash) -> ActivatedLeaf {
        let constraints = Constraints(
            minRelayParentNumber: 10, maxPovSize: 1 << 20, maxCodeSize: 1 << 20, maxHeadDataSize: 1 << 16,
            umpRemaining: 100, umpRemainingBytes: 1 << 16, maxUmpNumPerCandidate: 10, dmpRemainingMessages: [],
            validWatermarks: [], hrmpChannelsOut: [:], maxHrmpNumPerCandidate: 0,
            requiredParent: HeadData(bytes: [0]), validationCodeHash: .zero)
        return ActivatedLeaf(
            block: RelayChainBlockInfo(hash: hash, number: 10, storageRoot: .zero), parentHash: .zero, ancestors: [],
            paras: Dictionary(
                uniqueKeysWithValues: (0..<paras).map {
                    (ParaId(UInt32(1000 + $0)), ParaBackingState(constraints: constraints))
                }),
            maxDepth: depth - 1)
    }

    /// `depth` candidates of `para`, each building on the one before (head i → head i + 1).
    static func chain(para: ParaId, relayParent: Hash) -> [(
        receipt: CommittedCandidateReceipt, pvd: PersistedValidationData
    )] {
        (0..<depth).map { height in
            let pvd = PersistedValidationData(
                parentHead: HeadData(bytes: [UInt8(height)]), relayParentNumber: 10, relayParentStorageRoot: .zero,
                maxPovSize: 1 << 20)
            let commitments = CandidateCommitments(headData: HeadData(bytes: [UInt8(height + 1)]), hrmpWatermark: 10)
            let receipt = CommittedCandidateReceipt(
                descriptor: CandidateDescriptor(
                    paraId: para, relayParent: relayParent, collator: Sr25519Keypair.dev("Two").publicKey,
                    persistedValidationDataHash: pvd.hash, paraHead: commitments.headData.hash),
                commitments: commitments)
            return (receipt, pvd)
        }
    }

    static func verifySeconds() -> Double {
        let keypair = Sr25519Keypair.dev("Alice")
        let message = [UInt8](repeating: 7, count: 68)
        let signature = keypair.sign(message)
        var best = Double.infinity
        for _ in 0..<3 {
            let start = ContinuousClock.now
            for _ in 0..<500 { precondition(keypair.publicKey.isValidSignature(signature, for: message)) }
            best = min(best, seconds(since: start) / 500)
        }
        return best
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }
}
