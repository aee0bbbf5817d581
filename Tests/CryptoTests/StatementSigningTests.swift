import Crypto
import Primitives
import TestSupport
import Testing

/// Backing statements signed by schnorrkel (`statements.json`) and by us, checked against Polkadot's
/// 73-byte payloads.
struct StatementSigningTests {
    struct Vector: Decodable {
        let kind: String
        let candidateHash: H256
        let sessionIndex: UInt32
        let parentHash: H256
        let signingPayload: String
        let validatorMiniSecret: String
        let validatorPublic: Sr25519Public
        let signature: Sr25519Signature
        let corruptedSignature: Sr25519Signature
        let corruptedVerifies: Bool
    }

    struct File: Decodable { let statements: [Vector] }

    static let vectors = (try? Fixture.load(File.self, from: "statements.json").statements) ?? []

    static func statement(_ v: Vector) -> SignedStatement {
        SignedStatement(
            payload: v.kind == "seconded" ? .seconded(v.candidateHash) : .valid(v.candidateHash), validatorIndex: 0,
            signature: v.signature)
    }

    @Test func fixtureLoads() { #expect(Self.vectors.count == 6) }

    @Test(arguments: vectors.indices)
    func schnorrkelStatementSignaturesVerifyAndCorruptedOnesDoNot(index: Int) throws {
        let v = Self.vectors[index]
        let context = SigningContext(sessionIndex: v.sessionIndex, parentHash: v.parentHash)
        var signed = Self.statement(v)
        #expect(Hex.encode(signed.signingPayload(context)) == v.signingPayload)
        #expect(signed.isSignatureValid(context: context, validator: v.validatorPublic))
        signed.signature = v.corruptedSignature
        #expect(signed.isSignatureValid(context: context, validator: v.validatorPublic) == v.corruptedVerifies)
        #expect(!v.corruptedVerifies)
    }

    @Test(arguments: vectors.indices)
    func aSignatureDoesNotCarryOverToAnotherContextOrKind(index: Int) throws {
        let v = Self.vectors[index]
        let signed = Self.statement(v)
        let otherSession = SigningContext(sessionIndex: v.sessionIndex &+ 1, parentHash: v.parentHash)
        #expect(!signed.isSignatureValid(context: otherSession, validator: v.validatorPublic))
        let flipped = SignedStatement(
            payload: v.kind == "seconded" ? .valid(v.candidateHash) : .seconded(v.candidateHash), validatorIndex: 0,
            signature: v.signature)
        let context = SigningContext(sessionIndex: v.sessionIndex, parentHash: v.parentHash)
        #expect(!flipped.isSignatureValid(context: context, validator: v.validatorPublic))
    }

    @Test(arguments: vectors.indices)
    func ourSignatureWithTheOracleKeyVerifies(index: Int) throws {
        let v = Self.vectors[index]
        let keypair = try Sr25519Keypair(miniSecret: [UInt8](hex: v.validatorMiniSecret))
        #expect(keypair.publicKey == v.validatorPublic)
        let context = SigningContext(sessionIndex: v.sessionIndex, parentHash: v.parentHash)
        let ours = SignedStatement.sign(
            Self.statement(v).payload, validatorIndex: 7, context: context, keypair: keypair)
        #expect(ours.validatorIndex == 7)
        #expect(ours.isSignatureValid(context: context, validator: v.validatorPublic))
        #expect(!ours.isSignatureValid(context: context, validator: Sr25519Keypair.dev("Alice").publicKey))
    }

    @Test func fullStatementsSignTheCompactPayload() throws {
        let charlie = Sr25519Keypair.dev("Charlie")
        let ccr = CommittedCandidateReceipt(
            descriptor: CandidateDescriptor(paraId: 1, relayParent: H256(repeating: 5)),
            commitments: CandidateCommitments(headData: HeadData(bytes: [4, 5, 6])))
        let context = SigningContext(sessionIndex: 1, parentHash: H256(repeating: 5))
        let full = SignedFullStatement.sign(.seconded(ccr), validatorIndex: 2, context: context, keypair: charlie)
        let compact = SignedStatement(payload: .seconded(ccr.hash), validatorIndex: 2, signature: full.signature)
        #expect(compact.isSignatureValid(context: context, validator: charlie.publicKey))
        #expect(
            ValidityAttestation.implicit(full.signature).isSignatureValid(
                candidate: ccr.hash, context: context, validator: charlie.publicKey))
        #expect(
            !ValidityAttestation.explicit(full.signature).isSignatureValid(
                candidate: ccr.hash, context: context, validator: charlie.publicKey))
        let dispute = DisputeStatement.valid(.backingSeconded(context.parentHash))
        #expect(
            charlie.publicKey.isValidSignature(
                full.signature, for: dispute.payloadData(candidate: ccr.hash, session: 1)))
    }

    /// The reference note's example statements (§13.4), signed by schnorrkel for the backing fixture's
    /// candidate A123 by Charlie (index 2) and One (index 5).
    @Test func referenceNoteStatementsVerifyUnderTheDevKeys() throws {
        struct Vectors: Decodable { let a123: [String: String] }
        let a123 = try Fixture.load(Vectors.self, from: "polkadot-primitives-vectors.json").a123
        let context = SigningContext(sessionIndex: 1, parentHash: H256(repeating: 5))
        let seconded = try SignedFullStatement(scaleEncoded: [UInt8](hex: a123["signedSecondedByCharlie"]!))
        #expect(seconded.isSignatureValid(context: context, validator: Sr25519Keypair.dev("Charlie").publicKey))
        let valid = try SignedFullStatement(scaleEncoded: [UInt8](hex: a123["signedValidByOne"]!))
        #expect(valid.isSignatureValid(context: context, validator: Sr25519Keypair.dev("One").publicKey))
        #expect(!valid.isSignatureValid(context: context, validator: Sr25519Keypair.dev("Charlie").publicKey))
    }

    @Test func collatorSignatureCoversThe132BytePayload() throws {
        let collator = Sr25519Keypair.dev("Two")
        var descriptor = CandidateDescriptor(
            paraId: 100, relayParent: H256(repeating: 1), collator: collator.publicKey, povHash: H256(repeating: 3))
        descriptor.signature = collator.sign(descriptor.collatorSignaturePayload)
        #expect(descriptor.isCollatorSignatureValid)
        descriptor.erasureRoot = H256(repeating: 9)  // not covered by the collator signature
        #expect(descriptor.isCollatorSignatureValid)
        descriptor.povHash = H256(repeating: 4)
        #expect(!descriptor.isCollatorSignatureValid)
    }
}
