public import Backing
import Crypto
public import Primitives

/// The checks candidate-validation makes before running the PVF (Polkadot's `perform_basic_checks`,
/// preceded by the persisted-validation-data check of `ValidateFromChainState`).
public enum BasicChecks {
    /// Checks `descriptor` and `pov` against the chain state at the relay parent, in Polkadot's order:
    /// validation data hash, PoV size, PoV hash, validation code hash, collator signature (none for a V2
    /// descriptor where `acceptsV2Descriptors`: it has no collator).
    ///
    /// - Returns: the first failed check's reason, or `nil` when every check passes.
    public static func firstFailure(
        descriptor: CandidateDescriptor, pov: PoV, persistedValidationData: PersistedValidationData,
        validationCodeHash: ValidationCodeHash, acceptsV2Descriptors: Bool = false
    ) -> InvalidCandidate? {
        // Polkadot checks the PVD hash first: it selects the chain state the rest is judged against.
        if descriptor.persistedValidationDataHash != persistedValidationData.hash {
            return .persistedValidationDataMismatch
        }
        let encodedPoV = pov.scaleEncoded
        if encodedPoV.count > Int(persistedValidationData.maxPovSize) {
            return .paramsTooLarge(UInt64(encodedPoV.count))
        }
        if Blake2b.hash256(encodedPoV) != descriptor.povHash {
            return .povHashMismatch
        }
        if descriptor.validationCodeHash != validationCodeHash {
            return .codeHashMismatch
        }
        if acceptsV2Descriptors && descriptor.version == .v2 { return nil }
        if !descriptor.isCollatorSignatureValid {
            return .badSignature
        }
        return nil
    }
}
