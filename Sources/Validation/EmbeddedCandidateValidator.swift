public import Backing
public import Logging
import Primitives
import Tracing

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

    /// Runs in a span `PVF validation` (basic checks, code look-up and execution), whose outcome it records.
    public func validate(_ request: ValidationRequest) async -> ValidationOutcome {
        await InstrumentationSystem.tracer.withSpan("PVF validation") { span in
            let outcome = await validateUntraced(request)
            if span.isRecording {
                span.attributes["backingd.para"] = Int(request.candidate.descriptor.paraId.rawValue)
                switch outcome {
                case .valid: span.attributes["backingd.validation.outcome"] = "valid"
                case .invalid(let reason):
                    span.attributes["backingd.validation.outcome"] = "invalid"
                    span.attributes["backingd.validation.reason"] = "\(reason)"
                case .failure(let reason):
                    span.attributes["backingd.validation.outcome"] = "failure"
                    span.setStatus(SpanStatus(code: .error, message: "\(reason)"))
                }
            }
            return outcome
        }
    }

    private func validateUntraced(_ request: ValidationRequest) async -> ValidationOutcome {
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
