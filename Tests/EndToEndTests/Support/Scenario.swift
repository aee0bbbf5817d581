import Backing
import Crypto
import ErasureCoding
import Foundation
import Primitives
import Validation

/// The seed's backing fixture, as JSON bodies for the HTTP API: six validators (Alice, Bob, Charlie,
/// Dave, Ferdie, One), groups [[2,0,3,5],[1],[4]], paras 1–3, session 1, relay parent 0x05….
enum Scenario {
    static let names = ["Alice", "Bob", "Charlie", "Dave", "Ferdie", "One"]
    static let keys = names.map { Sr25519Keypair.dev($0) }
    static let relayParent = H256(repeating: 5)
    static let context = SigningContext(sessionIndex: 1, parentHash: relayParent)
    static let validationData = PersistedValidationData(
        parentHead: HeadData(bytes: [7, 8, 9]), relayParentNumber: 0, relayParentStorageRoot: .zero, maxPovSize: 1024)

    static func leaf(hash: Hash = relayParent, cores: [CoreState]? = nil) -> Leaf {
        Leaf(
            hash: hash, number: 1, sessionIndex: 1, validators: keys.map(\.publicKey),
            validatorGroups: [[2, 0, 3, 5], [1], [4]],
            groupRotationInfo: GroupRotationInfo(sessionStartBlock: 0, groupRotationFrequency: 100, now: 1),
            availabilityCores: cores ?? [
                .scheduled(ScheduledCore(paraId: 1)), .scheduled(ScheduledCore(paraId: 2)),
                .scheduled(ScheduledCore(paraId: 3, collator: Sr25519Keypair.dev("Two").publicKey)),
            ])
    }

    /// A leaf at block 10 in which Alice and Bob are one group backing the adder para at its genesis head
    /// (the two-node tests: each node activates it, one seconds, the other votes).
    static func aliceAndBobAdderLeaf(hash: Hash) -> Leaf {
        let validationData = PersistedValidationData(
            parentHead: AdderParachain.Head.genesis().headData, relayParentNumber: 10, relayParentStorageRoot: .zero,
            maxPovSize: 5 << 20)
        return Leaf(
            hash: hash, number: 10, sessionIndex: 1,
            validators: [Sr25519Keypair.dev("Alice").publicKey, Sr25519Keypair.dev("Bob").publicKey],
            validatorGroups: [[0, 1]],
            groupRotationInfo: GroupRotationInfo(sessionStartBlock: 0, groupRotationFrequency: 0, now: 11),
            availabilityCores: [.scheduled(ScheduledCore(paraId: AdderParachain.devParaId))],
            paras: [
                AdderParachain.devParaId: Leaf.ParaState(
                    persistedValidationData: validationData, validationCodeHash: AdderParachain.validationCodeHash)
            ])
    }

    /// The seed's `TestCandidateBuilder` candidate for para 1 with the real erasure root for six validators.
    static func candidate(pov: [UInt8], head: [UInt8]) throws -> CommittedCandidateReceipt {
        let root = try ErasureCoding.erasureRoot(
            nValidators: 6, availableData: AvailableData(pov: PoV(pov), validationData: validationData))
        return CommittedCandidateReceipt(
            descriptor: CandidateDescriptor(
                paraId: 1, relayParent: relayParent, povHash: PoV(pov).hash, erasureRoot: root),
            commitments: CandidateCommitments(headData: HeadData(bytes: head)))
    }

    static func sign(_ statement: Statement, by index: UInt32) -> SignedFullStatement {
        .sign(statement, validatorIndex: ValidatorIndex(index), context: context, keypair: keys[Int(index)])
    }

    static func json(_ value: some Encodable) throws -> [UInt8] { Array(try JSONOutput.encode(value)) }

    struct StatementBody: Encodable {
        let relayParent: Hash
        let statement: SignedFullStatement
    }

    struct SecondBody: Encodable {
        let relayParent: Hash
        let candidate: CandidateReceipt
        let pov: PoV
    }

    /// The external validator's "valid" answer of the seed's tests.
    static func validAnswer() throws -> [UInt8] {
        struct Valid: Encodable {
            let commitments: CandidateCommitments
            let persistedValidationData: PersistedValidationData
        }
        return try json([
            "valid": Valid(
                commitments: CandidateCommitments(headData: HeadData(bytes: [4, 5, 6])),
                persistedValidationData: validationData)
        ])
    }
}
