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

extension UncheckedSigned {
    /// Which of `statements` carry valid signatures by their validators in `context`: element `i`
    /// answers for `statements[i]`, as ``isSignatureValid(context:validator:)`` would.
    ///
    /// `validators` is the session's validator list, indexed by each statement's `validatorIndex`; an
    /// index outside it makes that statement invalid. Verifies all signatures as one batch (see
    /// ``Sr25519/verifyEach(_:)``), decoding each referenced validator key once.
    public static func areSignaturesValid(
        _ statements: [Self], context: SigningContext, validators: [ValidatorId]
    ) -> [Bool] {
        // Decode only the keys the statements use: a batch from one backing group names a handful.
        var keys = [Sr25519VerifyingKey?](repeating: nil, count: validators.count)
        var decoded = [Bool](repeating: false, count: validators.count)
        for statement in statements {
            let index = Int(statement.validatorIndex.rawValue)
            guard index < validators.count, !decoded[index] else { continue }
            decoded[index] = true
            keys[index] = Sr25519VerifyingKey(validators[index])
        }
        return areSignaturesValid(statements, context: context, validatorKeys: keys)
    }

    /// ``areSignaturesValid(_:context:validators:)`` with the validator keys decoded beforehand (keep
    /// them for as long as the session lasts); a `nil` key makes its validator's statements invalid.
    public static func areSignaturesValid(
        _ statements: [Self], context: SigningContext, validatorKeys: [Sr25519VerifyingKey?]
    ) -> [Bool] {
        let count = statements.count
        if count == 1 {
            let index = Int(statements[0].validatorIndex.rawValue)
            guard index < validatorKeys.count, let key = validatorKeys[index] else { return [false] }
            return [Sr25519.verify(statements[0].signature, message: statements[0].signingPayload(context), key: key)]
        }
        let batch = Sr25519.Batch(count: count, keys: validatorKeys)
        var candidates = [UInt32]()
        candidates.reserveCapacity(count)
        for (position, statement) in statements.enumerated() {
            let index = Int(statement.validatorIndex.rawValue)
            guard index < validatorKeys.count else { continue }
            if batch.add(
                position, signature: statement.signature, message: statement.signingPayload(context),
                keySlot: index)
            {
                candidates.append(UInt32(position))
            }
        }
        return batch.results(of: candidates)
    }
}
