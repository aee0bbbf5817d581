import Backing
import Crypto
import Primitives
import Testing
import Validation

/// One test per basic check, each with the reason Polkadot gives, and the failures that are ours.
struct BasicChecksTests {
    let validator = Fixture.validator()

    @Test func aValidAdderCandidateIsValidWithTheLeafsValidationData() async {
        let collation = Fixture.adderCollation()
        let outcome = await validator.validate(Fixture.request(collation))
        #expect(outcome == .valid(collation.commitments, collation.persistedValidationData))
    }

    @Test func aDifferentValidationDataHashIsAMismatch() async {
        let collation = Fixture.adderCollation()
        var pvd = collation.persistedValidationData
        pvd.relayParentNumber += 1
        #expect(
            await validator.validate(Fixture.request(collation, pvd: pvd)) == .invalid(.persistedValidationDataMismatch)
        )
    }

    @Test func aPoVLargerThanMaxPovSizeIsParamsTooLarge() async {
        // The collator built for a small limit: the descriptor matches, only the size is wrong.
        var context = Fixture.context
        context.maxPovSize = 16
        let collation = try! AdderCollator.collate(  // Safe because: state 0 matches the genesis head.
            parentHead: Fixture.genesis, block: .init(state: 0, add: 1), context: context, collator: Fixture.collator)
        #expect(await validator.validate(Fixture.request(collation)) == .invalid(.paramsTooLarge(17)))
    }

    @Test func anotherPoVIsAPoVHashMismatch() async {
        let collation = Fixture.adderCollation()
        let other = PoV(blockData: AdderParachain.Block(state: 0, add: 6).blockData)
        #expect(await validator.validate(Fixture.request(collation, pov: other)) == .invalid(.povHashMismatch))
    }

    @Test func anotherCodeHashAtTheLeafIsACodeHashMismatch() async {
        let collation = Fixture.adderCollation()
        let other = ValidationCode(bytes: [1, 2, 3]).hash
        #expect(await validator.validate(Fixture.request(collation, codeHash: other)) == .invalid(.codeHashMismatch))
    }

    @Test func aSignatureByAnotherKeyIsABadSignature() async throws {
        let collation = Fixture.adderCollation()
        var descriptor = collation.candidate.descriptor
        descriptor.signature = try Sr25519Keypair(suri: "//Three").sign(descriptor.collatorSignaturePayload)
        var request = Fixture.request(collation)
        request = ValidationRequest(
            candidate: CandidateReceipt(descriptor: descriptor, commitmentsHash: collation.candidate.commitmentsHash),
            pov: request.pov, relayParent: request.relayParent,
            persistedValidationData: request.persistedValidationData,
            validationCodeHash: request.validationCodeHash, executionTimeout: request.executionTimeout)
        #expect(await validator.validate(request) == .invalid(.badSignature))
    }

    @Test func aHeadTheCodeDoesNotProduceIsAParaHeadHashMismatch() async {
        let collation = Fixture.adderCollation()
        var descriptor = collation.candidate.descriptor
        descriptor.paraHead = AdderParachain.Head.genesis(state: 99).headData.hash
        // paraHead is not covered by the collator signature, so the descriptor stays correctly signed.
        let request = ValidationRequest(
            candidate: CandidateReceipt(descriptor: descriptor, commitmentsHash: collation.candidate.commitmentsHash),
            pov: collation.pov, relayParent: Fixture.relayParent,
            persistedValidationData: collation.persistedValidationData,
            validationCodeHash: AdderParachain.validationCodeHash, executionTimeout: .seconds(2))
        #expect(await validator.validate(request) == .invalid(.paraHeadHashMismatch))
    }

    @Test func aBlockNotStartingFromTheParentStateTrapsAsAnExecutionError() async {
        // The adder panics (traps) when the block's state does not hash to the parent's post_state.
        let collation = Fixture.adderCollation()
        let block = AdderParachain.Block(state: 1, add: 5)
        var descriptor = collation.candidate.descriptor
        let pov = PoV(blockData: block.blockData)
        descriptor.povHash = pov.hash
        descriptor.signature = Fixture.collator.sign(descriptor.collatorSignaturePayload)
        let request = ValidationRequest(
            candidate: CandidateReceipt(descriptor: descriptor, commitmentsHash: collation.candidate.commitmentsHash),
            pov: pov, relayParent: Fixture.relayParent, persistedValidationData: collation.persistedValidationData,
            validationCodeHash: AdderParachain.validationCodeHash, executionTimeout: .seconds(2))
        guard case .invalid(.executionError) = await validator.validate(request) else {
            Issue.record("expected an execution error")
            return
        }
    }

    @Test func noValidationDataOrCodeHashAtTheLeafIsAFailure() async {
        let collation = Fixture.adderCollation()
        let request = Fixture.request(collation)
        let noPVD = ValidationRequest(
            candidate: request.candidate, pov: request.pov, relayParent: request.relayParent,
            persistedValidationData: nil, validationCodeHash: request.validationCodeHash, executionTimeout: .seconds(2))
        let noCode = ValidationRequest(
            candidate: request.candidate, pov: request.pov, relayParent: request.relayParent,
            persistedValidationData: request.persistedValidationData, validationCodeHash: nil,
            executionTimeout: .seconds(2))
        guard case .failure = await validator.validate(noPVD), case .failure = await validator.validate(noCode) else {
            Issue.record("expected failures")
            return
        }
    }

    @Test func unregisteredCodeIsAFailureNotAnInvalidCandidate() async {
        let empty = EmbeddedCandidateValidator(
            codes: InMemoryValidationCodeStore(), logger: .init(label: "test"))
        guard case .failure(let message) = await empty.validate(Fixture.request(Fixture.adderCollation())) else {
            Issue.record("expected a failure")
            return
        }
        #expect(message.contains("not registered"))
    }
}
