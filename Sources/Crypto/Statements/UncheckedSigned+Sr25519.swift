public import Primitives

extension UncheckedSigned {
    /// Signs `payload` as validator `validatorIndex` in `context` (Polkadot's `Signed::sign`): an sr25519
    /// signature over the 73-byte payload of the compact statement and the signing context.
    public static func sign(
        _ payload: Payload, validatorIndex: ValidatorIndex, context: SigningContext, keypair: Sr25519Keypair
    ) -> Self {
        let signature = keypair.sign(payload.compact.signingPayload(context))
        return Self(payload: payload, validatorIndex: validatorIndex, signature: signature)
    }

    /// Whether the signature is `validator`'s over this statement in `context`.
    ///
    /// Which key belongs to `validatorIndex` is the caller's knowledge (the session's validator list).
    public func isSignatureValid(context: SigningContext, validator: ValidatorId) -> Bool {
        validator.isValidSignature(signature, for: signingPayload(context))
    }
}

extension ValidityAttestation {
    /// Whether this vote is `validator`'s signature on `candidate` in `context` (the relay chain's check
    /// in `check_candidate_backing`).
    public func isSignatureValid(candidate: CandidateHash, context: SigningContext, validator: ValidatorId) -> Bool {
        validator.isValidSignature(signature, for: compactStatement(for: candidate).signingPayload(context))
    }
}

extension CandidateDescriptor {
    /// Whether `signature` is `collator`'s signature over the 132-byte collator payload
    /// (`check_collator_signature`).
    public var isCollatorSignatureValid: Bool {
        collator.isValidSignature(signature, for: collatorSignaturePayload)
    }
}
