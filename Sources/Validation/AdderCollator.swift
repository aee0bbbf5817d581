public import Crypto
import ErasureCoding
public import Primitives

/// A collator for the adder parachain: builds a complete, signed candidate for one block.
///
/// What a test harness needs for `POST /v1/second`; `backingd collate` prints it.
public enum AdderCollator {
    /// Why a collation cannot be built.
    public enum CollationError: Error, CustomStringConvertible {
        /// The block cannot follow the parent (see ``AdderParachain/ExecutionError``).
        case execution(AdderParachain.ExecutionError)
        /// The erasure coding rejected the validator count.
        case erasureCoding(String)

        public var description: String {
            switch self {
            case .execution(.malformedParent): "the parent head is not a 72-byte adder head"
            case .execution(.stateMismatch):
                "the state does not hash to the parent head's post_state (pass the parent's state)"
            case .erasureCoding(let message): "erasure coding: \(message)"
            }
        }
    }

    /// The chain state a collation is built on.
    public struct Context: Sendable {
        public var paraId: ParaId
        public var relayParent: Hash
        public var relayParentNumber: BlockNumber
        public var relayParentStorageRoot: Hash
        public var maxPovSize: UInt32
        /// The leaf's validator count, for the erasure root.
        public var validatorCount: Int
        /// Build a V2 descriptor on this core (no collator key or signature) instead of a signed v1 one.
        public var v2Core: CoreIndex?
        /// The session a V2 descriptor names (the relay parent's `session_index_for_child`).
        public var sessionIndex: SessionIndex

        public init(
            paraId: ParaId = AdderParachain.devParaId, relayParent: Hash, relayParentNumber: BlockNumber = 0,
            relayParentStorageRoot: Hash = .zero, maxPovSize: UInt32 = 5 << 20, validatorCount: Int = 6,
            v2Core: CoreIndex? = nil, sessionIndex: SessionIndex = 0
        ) {
            self.paraId = paraId
            self.relayParent = relayParent
            self.relayParentNumber = relayParentNumber
            self.relayParentStorageRoot = relayParentStorageRoot
            self.maxPovSize = maxPovSize
            self.validatorCount = validatorCount
            self.v2Core = v2Core
            self.sessionIndex = sessionIndex
        }
    }

    /// A ready candidate: `{relayParent, candidate, pov}` is the body of `POST /v1/second`.
    public struct Collation: Encodable, Sendable {
        public let relayParent: Hash
        public let candidate: CandidateReceipt
        public let pov: PoV
        public let commitments: CandidateCommitments
        public let persistedValidationData: PersistedValidationData
        public let candidateHash: CandidateHash
        /// The new head's fields, for chaining the next block.
        public let head: AdderParachain.Head
    }

    /// Builds and signs the candidate adding `block.add` to `block.state` on top of `parentHead`.
    public static func collate(
        parentHead: HeadData, block: AdderParachain.Block, context: Context, collator: Sr25519Keypair
    ) throws(CollationError) -> Collation {
        let head: AdderParachain.Head
        do { head = try AdderParachain.execute(parentHead: parentHead, block: block) } catch {
            throw .execution(error)
        }
        let pov = PoV(blockData: block.blockData)
        let pvd = PersistedValidationData(
            parentHead: parentHead, relayParentNumber: context.relayParentNumber,
            relayParentStorageRoot: context.relayParentStorageRoot, maxPovSize: context.maxPovSize)
        let erasureRoot: Hash
        do {
            erasureRoot = try ErasureCoding.erasureRoot(
                nValidators: context.validatorCount, availableData: AvailableData(pov: pov, validationData: pvd))
        } catch {
            throw .erasureCoding("\(error)")
        }
        // What the adder's PVF returns, as commitments: only the head and the watermark are set.
        let commitments = CandidateCommitments(headData: head.headData, hrmpWatermark: context.relayParentNumber)
        let descriptor: CandidateDescriptor
        if let core = context.v2Core {
            descriptor = CandidateDescriptor(
                CandidateDescriptorV2(
                    paraId: context.paraId, relayParent: context.relayParent, coreIndex: core,
                    sessionIndex: context.sessionIndex, persistedValidationDataHash: pvd.hash, povHash: pov.hash,
                    erasureRoot: erasureRoot, paraHead: head.headData.hash,
                    validationCodeHash: AdderParachain.validationCodeHash))
        } else {
            var signed = CandidateDescriptor(
                paraId: context.paraId, relayParent: context.relayParent, collator: collator.publicKey,
                persistedValidationDataHash: pvd.hash, povHash: pov.hash, erasureRoot: erasureRoot,
                paraHead: head.headData.hash, validationCodeHash: AdderParachain.validationCodeHash)
            signed.signature = collator.sign(signed.collatorSignaturePayload)
            descriptor = signed
        }
        let receipt = CandidateReceipt(descriptor: descriptor, commitmentsHash: commitments.hash)
        return Collation(
            relayParent: context.relayParent, candidate: receipt, pov: pov, commitments: commitments,
            persistedValidationData: pvd, candidateHash: receipt.hash, head: head)
    }
}

extension AdderParachain.Head: Encodable {
    enum CodingKeys: String, CodingKey { case number, parentHash, postState }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(number, forKey: .number)
        try container.encode(parentHash, forKey: .parentHash)
        try container.encode(postState, forKey: .postState)
    }
}
