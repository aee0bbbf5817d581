import Backing
import Crypto
import Logging
import Primitives
import Validation
import WAT

/// Candidates and modules the validation tests share: real signatures, real WasmKit.
enum Fixture {
    static let collator = try! Sr25519Keypair(suri: "//Two")  // Safe because: a fixed, valid dev URI.
    static let relayParent = Hash(unchecked: [UInt8](repeating: 7, count: 32))
    static let context = AdderCollator.Context(
        relayParent: relayParent, relayParentNumber: 42,
        relayParentStorageRoot: Hash(unchecked: .init(repeating: 9, count: 32)),
        maxPovSize: 1 << 20, validatorCount: 6)
    static let genesis = AdderParachain.Head.genesis(state: 0).headData

    /// A valid adder candidate adding `add` to the genesis state 0.
    static func adderCollation(add: UInt64 = 5) -> AdderCollator.Collation {
        try! AdderCollator.collate(  // Safe because: state 0 is the genesis head's state.
            parentHead: genesis, block: .init(state: 0, add: add), context: context, collator: collator)
    }

    /// The request the backing job would make for `collation`, with the leaf's state as given.
    static func request(
        _ collation: AdderCollator.Collation, pov: PoV? = nil, pvd: PersistedValidationData? = nil,
        codeHash: ValidationCodeHash? = AdderParachain.validationCodeHash, timeout: Duration = .seconds(2)
    ) -> ValidationRequest {
        ValidationRequest(
            candidate: collation.candidate, pov: pov ?? collation.pov, relayParent: relayParent,
            persistedValidationData: pvd ?? collation.persistedValidationData, validationCodeHash: codeHash,
            executionTimeout: timeout)
    }

    /// A correctly signed candidate for arbitrary `code` (the adder's block and PVD), so the PVF decides.
    static func request(forCode code: ValidationCode, timeout: Duration = .seconds(2)) -> ValidationRequest {
        let collation = adderCollation()
        var descriptor = collation.candidate.descriptor
        descriptor.validationCodeHash = code.hash
        descriptor.signature = collator.sign(descriptor.collatorSignaturePayload)
        let receipt = CandidateReceipt(descriptor: descriptor, commitmentsHash: collation.candidate.commitmentsHash)
        return ValidationRequest(
            candidate: receipt, pov: collation.pov, relayParent: relayParent,
            persistedValidationData: collation.persistedValidationData, validationCodeHash: code.hash,
            executionTimeout: timeout)
    }

    /// A validator whose store holds the adder and `extra`.
    static func validator(_ extra: [ValidationCode] = [], executor: PVFExecutor = PVFExecutor())
        -> EmbeddedCandidateValidator
    {
        var logger = Logger(label: "test.validation")
        logger.logLevel = .critical
        return EmbeddedCandidateValidator(
            codes: InMemoryValidationCodeStore([AdderParachain.validationCode] + extra), executor: executor,
            logger: logger)
    }

    /// A PVF from WAT whose `validate_block` body is `body`, with a 1-page exported memory and `__heap_base`.
    static func module(_ body: String, extra: String = "") throws -> ValidationCode {
        ValidationCode(
            bytes: try wat2wasm(
                """
                (module
                  \(extra)
                  (memory (export "memory") 1)
                  (global (export "__heap_base") i32 (i32.const 1024))
                  (func (export "validate_block") (param i32 i32) (result i64)
                    \(body)))
                """))
    }
}
