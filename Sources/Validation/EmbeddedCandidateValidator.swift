public import Backing
public import Logging
import Primitives

/// The default validator: Polkadot's candidate-validation for `ValidateFromChainState`, in-process.
///
/// Basic checks first (validation data hash, PoV size and hash, code hash, collator signature), then the
/// para's registered code runs in ``PVFExecutor`` on a thread of its own, bounded by fuel and a watchdog
/// at `request.executionTimeout`. Only our own shortcomings (no chain state for the para, code not
/// registered, a store error) are failures; everything the candidate can cause makes it invalid.
public struct EmbeddedCandidateValidator: CandidateValidator {
    private let codes: any ValidationCodeStore
    private let executor: PVFExecutor
    private let logger: Logger

    /// A validator running code from `codes` in `executor`.
    public init(codes: any ValidationCodeStore, executor: PVFExecutor = PVFExecutor(), logger: Logger) {
        self.codes = codes
        self.executor = executor
        self.logger = logger
    }

    public func validate(_ request: ValidationRequest) async -> ValidationOutcome {
        let descriptor = request.candidate.descriptor
        guard let pvd = request.persistedValidationData else {
            return .failure("the leaf gave no persisted validation data for para \(descriptor.paraId)")
        }
        guard let codeHash = request.validationCodeHash else {
            return .failure("the leaf gave no validation code hash for para \(descriptor.paraId)")
        }
        if let reason = BasicChecks.firstFailure(
            descriptor: descriptor, pov: request.pov, persistedValidationData: pvd, validationCodeHash: codeHash,
            acceptsV2Descriptors: request.acceptsV2Descriptors)
        {
            return .invalid(reason)
        }
        let code: ValidationCode
        do {
            guard let found = try await codes.code(for: codeHash) else {
                return .failure("validation code \(codeHash.hex) is not registered")
            }
            code = found
        } catch {
            return .failure("cannot read validation code \(codeHash.hex): \(error)")
        }
        let params = ValidationParams(persistedValidationData: pvd, pov: request.pov)
        switch await executor.execute(code: code, hash: codeHash, params: params, timeout: request.executionTimeout) {
        case .failure(let error):
            logger.debug("PVF rejected the candidate", metadata: ["para": "\(descriptor.paraId)", "error": "\(error)"])
            return .invalid(error.invalidCandidate)
        case .success(let result):
            guard result.headData.hash == descriptor.paraHead else { return .invalid(.paraHeadHashMismatch) }
            return .valid(result.commitments, pvd)
        }
    }
}
