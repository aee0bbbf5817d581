import CDecaf
public import Primitives

/// Batch verification, schnorrkel's `verify_batch`: one multi-scalar multiplication checks a random
/// linear combination of all the signature equations, several times faster per signature than
/// verifying one by one (about 5× at 1000 signatures by a validator group's keys, 2.5× with all keys
/// distinct: what remains per signature is decoding R, the transcript and its share of the product).
///
/// For random 128-bit weights zᵢ, a batch holds when
/// (−Σ zᵢsᵢ)·B + Σ zᵢ·Rᵢ + Σ (zᵢkᵢ)·Aᵢ is the identity. ristretto255 has prime order, so if any
/// signature is invalid the sum is the identity only with probability about 2⁻¹²⁸; the weights come
/// from the operating system's CSPRNG at verification time, after every input is fixed, so a signer
/// cannot aim at them. Every per-signature check of single verification applies unchanged: the marker
/// bit, `s < ℓ`, a canonical public key with bit 255 clear, and a canonical `R` (single verification
/// compares `R`'s bytes with a canonical encoding, so a batch decodes `R` strictly).
extension Sr25519 {
    /// One signature of a batch: `signature` on `message` by `publicKey`.
    public struct BatchItem: Sendable, Hashable {
        /// The 64-byte schnorrkel signature (`R ‖ s` with the marker bit).
        public var signature: Sr25519Signature
        /// The signed bytes, under Substrate's `substrate` signing context.
        public var message: [UInt8]
        /// The signer's key; items signed by one key share its decoding and its multiplication.
        public var publicKey: Sr25519Public

        public init(signature: Sr25519Signature, message: [UInt8], publicKey: Sr25519Public) {
            self.signature = signature
            self.message = message
            self.publicKey = publicKey
        }
    }

    /// Whether every signature of `items` is valid; `true` for an empty batch.
    ///
    /// Answers as ``verify(_:message:publicKey:)`` would for each item and all of them together, except
    /// with probability about 2⁻¹²⁸ of accepting a batch that holds an invalid signature. Signatures by
    /// one key share its multiplication, so batches of a validator group's statements are cheapest.
    /// Variable time: for public data only.
    public static func verifyBatch(_ items: [BatchItem]) -> Bool {
        if items.count == 1 {
            // One signature: single verification needs no decoding of R, so it is faster.
            return verify(items[0].signature, message: items[0].message, publicKey: items[0].publicKey)
        }
        let (slots, keys) = keySlots(items)
        let batch = Batch(count: items.count, keys: keys)
        var indices = [UInt32]()
        indices.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard batch.add(index, signature: item.signature, message: item.message, keySlot: slots[index])
            else { return false }
            indices.append(UInt32(index))
        }
        return batch.holds(indices[...])
    }

    /// Which signatures of `items` are valid: element `i` answers for `items[i]`.
    ///
    /// Checks the whole batch first; when it fails, halves it until each bad signature is isolated
    /// (reusing the decoded points and challenges), so a batch with a few bad signatures still costs
    /// far less than verifying each one. Bisection has a budget of half the cost of checking every
    /// item alone; past it the remaining items are checked alone, so that a batch of nothing but bad
    /// signatures (an attacker's) costs under 1.5 times single verification rather than 3 times. Same
    /// answers as ``verify(_:message:publicKey:)`` per item, up to the 2⁻¹²⁸ chance described in
    /// ``verifyBatch(_:)``.
    public static func verifyEach(_ items: [BatchItem]) -> [Bool] {
        if items.count == 1 {
            return [verify(items[0].signature, message: items[0].message, publicKey: items[0].publicKey)]
        }
        let (slots, keys) = keySlots(items)
        let batch = Batch(count: items.count, keys: keys)
        var indices = [UInt32]()
        indices.reserveCapacity(items.count)
        for (index, item) in items.enumerated()
        where batch.add(index, signature: item.signature, message: item.message, keySlot: slots[index]) {
            indices.append(UInt32(index))
        }
        return batch.results(of: indices)
    }

    /// Numbers the distinct public keys of `items` and decodes each once; `nil` marks an undecodable key.
    private static func keySlots(_ items: [BatchItem]) -> (slots: [Int], keys: [Sr25519VerifyingKey?]) {
        var slotOfKey = [Sr25519Public: Int]()
        var keys = [Sr25519VerifyingKey?]()
        let slots = items.map { item in
            if let slot = slotOfKey[item.publicKey] { return slot }
            slotOfKey[item.publicKey] = keys.count
            keys.append(Sr25519VerifyingKey(item.publicKey))
            return keys.count - 1
        }
        return (slots, keys)
    }

    /// The decoded inputs of one batch, checked as a whole or in parts (a `cdecaf_batch`).
    final class Batch {
        private let handle: OpaquePointer
        private let count: Int
        /// Decoded public keys by slot; items signed by one key share its slot.
        private let keys: [Sr25519VerifyingKey?]
        /// Fresh 128-bit weights, 16 bytes per item.
        private let weights: [UInt8]

        init(count: Int, keys: [Sr25519VerifyingKey?]) {
            precondition(count < Int(UInt32.max), "a batch is indexed by UInt32")
            guard let handle = cdecaf_batch_new(count, keys.count) else {
                preconditionFailure("out of memory for a batch of \(count) signatures")
            }
            self.handle = handle
            self.count = count
            self.keys = keys
            weights = Ristretto.randomBytes(count: 16 * count)
        }

        deinit { cdecaf_batch_free(handle) }

        /// Decodes and hashes item `index`; `false` when it is invalid on its own (no marker bit,
        /// `s ≥ ℓ`, a bad key or a non-canonical `R`), so it must be left out of every check.
        func add(_ index: Int, signature: Sr25519Signature, message: some Collection<UInt8>, keySlot: Int) -> Bool {
            guard let key = keys[keySlot] else { return false }
            return signature.withUnsafeBytes { signature in
                guard signature[63] & 0x80 != 0 else { return false }
                return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 96) { scratch in
                    let challenge = scratch.baseAddress!
                    let s = challenge + 64
                    let hashed = Sr25519.withBytes(of: message) { message in
                        key.publicKey.withUnsafeBytes { publicKey in
                            Sr25519.schnorrScalarAndChallenge(
                                signature: signature, message: message, publicKey: publicKey, s: s,
                                challenge: challenge)
                        }
                    }
                    guard hashed else { return false }
                    return weights.withUnsafeBufferPointer { weights in
                        cdecaf_batch_set(
                            handle, index, signature.baseAddress!.assumingMemoryBound(to: UInt8.self), s, challenge,
                            weights.baseAddress! + 16 * index, key.handle, UInt32(keySlot)) == 0
                    }
                }
            }
        }

        /// Whether the batch equation holds for the items at `indices` (all added successfully).
        func holds(_ indices: ArraySlice<UInt32>) -> Bool {
            let result = indices.withUnsafeBufferPointer { cdecaf_batch_check(handle, $0.baseAddress, $0.count) }
            precondition(result != -2, "out of memory checking a batch of \(indices.count) signatures")
            return result == 0
        }

        /// Per-item validity: `true` exactly for the items of `valid` candidates whose signatures hold.
        func results(of candidates: [UInt32]) -> [Bool] {
            var results = [Bool](repeating: false, count: count)
            // Bisection pays while bad signatures are few; with many, it would check each of them
            // about 2·log₂(n) times. Its budget is half of what checking every item alone costs, so
            // a batch full of bad signatures costs at most about 1.5 times single verification.
            bisectionBudget = Self.checkCost(items: 1) * candidates.count / 2
            _ = resolve(candidates[...], knownToFail: false, into: &results)
            return results
        }

        /// What checking `items` items costs, in units of one item's share of a large check: a check
        /// has a fixed part (253 doublings and the base point's additions) worth about 6 items.
        private static func checkCost(items: Int) -> Int { items + 6 }

        /// Checks item `index` without the others (R == s·B − k·A) and records the answer.
        private func checkAlone(_ index: UInt32, into results: inout [Bool]) -> Bool {
            let valid = cdecaf_batch_check_one(handle, index) == 0
            results[Int(index)] = valid
            return valid
        }

        /// What bisection may still spend, in ``checkCost(items:)`` units.
        private var bisectionBudget = 0

        /// Marks the valid items of `indices`; returns whether all were valid. When `knownToFail`, the
        /// caller already knows the whole set fails (its sibling passed), so that check is skipped.
        private func resolve(_ indices: ArraySlice<UInt32>, knownToFail: Bool, into results: inout [Bool]) -> Bool {
            if indices.isEmpty { return true }
            if indices.count == 1 {
                // One item: its own equation, unweighted, which is cheaper than a batch check of one.
                if knownToFail { return false }
                return checkAlone(indices[indices.startIndex], into: &results)
            }
            if bisectionBudget <= 0 {
                // Out of budget: each item alone, which costs no more than single verification.
                var allValid = true
                for index in indices { allValid = checkAlone(index, into: &results) && allValid }
                return allValid
            }
            if !knownToFail {
                bisectionBudget -= Self.checkCost(items: indices.count)
                if holds(indices) {
                    for index in indices { results[Int(index)] = true }
                    return true
                }
            }
            let middle = indices.startIndex + indices.count / 2
            let leftValid = resolve(indices[..<middle], knownToFail: false, into: &results)
            // If the left half is valid, the bad signatures are in the right half.
            _ = resolve(indices[middle...], knownToFail: leftValid, into: &results)
            return false
        }
    }
}
