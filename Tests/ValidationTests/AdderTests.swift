import Crypto
import Primitives
import Testing
import Validation

/// The adder PVF (C, in WasmKit) against its Swift model.
struct AdderTests {
    @Test func keccak256MatchesKnownDigests() {
        #expect(Keccak256.hash([]).hex == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(
            Keccak256.hash(Array("abc".utf8)).hex
                == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        // Longer than one 136-byte block, so absorbing continues past the first permutation.
        #expect(Keccak256.hash([UInt8](repeating: 0x61, count: 200)).bytes.count == 32)
    }

    @Test func theWasmProducesTheHeadsTheSwiftModelPredictsOverAChain() throws {
        let executor = PVFExecutor()
        var parent = AdderParachain.Head.genesis(state: 3).headData
        var state: UInt64 = 3
        for (number, add) in [UInt64(1), 1000, .max].enumerated() {
            let block = AdderParachain.Block(state: state, add: add)
            let expected = try AdderParachain.execute(parentHead: parent, block: block)
            let params = ValidationParams(
                parentHead: parent, blockData: block.blockData, relayParentNumber: 77, relayParentStorageRoot: .zero)
            let result = try executor.executeSynchronously(
                code: AdderParachain.validationCode, hash: AdderParachain.validationCodeHash, params: params)
            #expect(result.headData == expected.headData)
            #expect(result == ValidationResult(headData: expected.headData, hrmpWatermark: 77))
            #expect(expected.number == UInt64(number + 1))
            #expect(expected.parentHash == Keccak256.hash(parent.bytes))
            parent = expected.headData
            state &+= add
        }
    }

    @Test func theSwiftModelRejectsAStateThatIsNotTheParents() {
        #expect(throws: AdderParachain.ExecutionError.stateMismatch) {
            try AdderParachain.execute(parentHead: Fixture.genesis, block: .init(state: 1, add: 1))
        }
    }

    @Test func theSecondValidationOfTheSameCodeHitsTheModuleCache() async {
        let executor = PVFExecutor()
        let validator = Fixture.validator(executor: executor)
        for add in [UInt64(1), 2] {
            guard case .valid = await validator.validate(Fixture.request(Fixture.adderCollation(add: add))) else {
                Issue.record("expected valid")
                return
            }
        }
        #expect(executor.cacheStatistics.misses == 1)
        #expect(executor.cacheStatistics.hits == 1)
    }

    @Test func theCollationCarriesConsistentHashesAndAValidSignature() {
        let collation = Fixture.adderCollation()
        let descriptor = collation.candidate.descriptor
        #expect(descriptor.isCollatorSignatureValid)
        #expect(descriptor.povHash == collation.pov.hash)
        #expect(descriptor.persistedValidationDataHash == collation.persistedValidationData.hash)
        #expect(descriptor.paraHead == collation.commitments.headData.hash)
        #expect(descriptor.validationCodeHash == AdderParachain.validationCodeHash)
        #expect(collation.candidate.commitmentsHash == collation.commitments.hash)
        #expect(collation.candidateHash == collation.candidate.hash)
    }
}
