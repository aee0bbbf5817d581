import Primitives
import TestSupport
import Testing

@testable import Crypto

/// Batch verification (`Sr25519.verifyBatch`, `verifyEach`, `UncheckedSigned.areSignaturesValid`) must
/// give exactly the answers of single verification, item by item.
struct BatchVerificationTests {
    /// Signers with fixed seeds, so a failure names the same keys every run.
    static let signers: [Sr25519Keypair] = (0..<200).map { index in
        var seed = [UInt8](repeating: 0x42, count: 32)
        seed[0] = UInt8(index)
        // Safe because: the seed is 32 bytes by construction.
        return try! Sr25519Keypair(miniSecret: seed)
    }

    /// `count` freshly signed items by `keys` signers in turn, each over its own message.
    static func signed(_ count: Int, keys: Int) -> [Sr25519.BatchItem] {
        (0..<count).map { index in
            let signer = signers[index % keys]
            let message = Array("statement \(index)".utf8) + [UInt8](repeating: UInt8(index & 0xff), count: 40)
            return Sr25519.BatchItem(signature: signer.sign(message), message: message, publicKey: signer.publicKey)
        }
    }

    /// A pool of valid items by 8 keys for the mutation tests, signed once per process.
    static let pool = signed(240, keys: 8)

    /// Ways to spoil one item; each makes single verification reject it.
    enum Mutation: String, CaseIterable, CustomTestStringConvertible {
        case flipBitInR, flipBitInS, wrongMessage, wrongKey, oddR, rWithBit255, notAPointR, missingMarker
        case sPlusGroupOrder, identityKey, keyWithBit255, notAPointKey

        var testDescription: String { rawValue }

        func apply(to item: Sr25519.BatchItem) -> Sr25519.BatchItem {
            var signature = item.signature.bytes
            var message = item.message
            var key = item.publicKey
            switch self {
            case .flipBitInR: signature[10] ^= 0x04
            case .flipBitInS: signature[40] ^= 0x01
            case .wrongMessage: message[0] ^= 0x01
            case .wrongKey: key = BatchVerificationTests.signers[199].publicKey
            // A ristretto255 encoding must be even ("non-negative"): an odd one is non-canonical.
            case .oddR: signature[0] ^= 0x01
            case .rWithBit255: signature[31] |= 0x80
            // 2^255 − 1 − 0x80: a field element ≥ p, so not a canonical encoding of anything.
            case .notAPointR:
                signature.replaceSubrange(0..<32, with: [0xfe] + [UInt8](repeating: 0xff, count: 30) + [0x7f])
            case .missingMarker: signature[63] &= 0x7f
            case .sPlusGroupOrder: signature = BatchVerificationTests.addingGroupOrderToS(signature)
            case .identityKey: key = .zero
            case .keyWithBit255:
                var bytes = key.bytes
                bytes[31] |= 0x80
                key = Sr25519Public(unchecked: bytes)
            case .notAPointKey: key = Sr25519Public(unchecked: [1] + [UInt8](repeating: 0, count: 31))
            }
            return Sr25519.BatchItem(
                signature: Sr25519Signature(unchecked: signature), message: message, publicKey: key)
        }
    }

    /// The signature with `s` replaced by `s + ℓ` (same residue, non-canonical) and the marker kept.
    static func addingGroupOrderToS(_ signature: [UInt8]) -> [UInt8] {
        var result = signature
        result[63] &= 0x7f
        var carry = 0
        for index in 0..<32 {
            let sum = Int(result[32 + index]) + Int(Ristretto.groupOrder[index]) + carry
            result[32 + index] = UInt8(sum & 0xff)
            carry = sum >> 8
        }
        result[63] |= 0x80
        return result
    }

    static func singleAnswers(_ items: [Sr25519.BatchItem]) -> [Bool] {
        items.map { Sr25519.verify($0.signature, message: $0.message, publicKey: $0.publicKey) }
    }

    // MARK: Valid batches

    @Test func referenceSignaturesFromSchnorrkelAndTheFixturesVerifyAsOneBatch() throws {
        var items = [Sr25519.BatchItem]()
        for file in ["sr25519-schnorrkel-signatures.json", "sr25519-ours-accepted-by-schnorrkel.json"] {
            for entry in try Fixture.load(InteropTests.SignatureFile.self, from: file).signatures {
                items.append(
                    Sr25519.BatchItem(
                        signature: try #require(Sr25519Signature(hex: entry.signature)), message: bytes(entry.message),
                        publicKey: try #require(Sr25519Public(hex: entry.publicKey))))
            }
        }
        let vectors = try Sr25519Vectors.load()
        for testCase in vectors.verifyCases where testCase.expected {
            items.append(
                Sr25519.BatchItem(
                    signature: Sr25519Signature(unchecked: bytes(testCase.signature)), message: bytes(testCase.message),
                    publicKey: Sr25519Public(unchecked: bytes(testCase.public))))
        }
        #expect(items.count == 8)
        #expect(Sr25519.verifyBatch(items))
        #expect(Sr25519.verifyEach(items) == Array(repeating: true, count: items.count))
        #expect(Sr25519.verifyBatch(items + Self.signed(16, keys: 4)))
    }

    @Test func everyReferenceVerifyCaseGetsItsSingleAnswerInsideABatch() throws {
        let vectors = try Sr25519Vectors.load()
        #expect(vectors.verifyCases.count == 7)
        let others = Self.signed(9, keys: 3)
        for testCase in vectors.verifyCases {
            let item = Sr25519.BatchItem(
                signature: Sr25519Signature(unchecked: bytes(testCase.signature)), message: bytes(testCase.message),
                publicKey: Sr25519Public(unchecked: bytes(testCase.public)))
            var items = others
            items.insert(item, at: 4)
            var expected = Array(repeating: true, count: items.count)
            expected[4] = testCase.expected
            #expect(Sr25519.verifyEach(items) == expected, "\(testCase.name)")
            #expect(Sr25519.verifyBatch(items) == testCase.expected, "\(testCase.name)")
            #expect(Sr25519.verifyEach([item]) == [testCase.expected], "\(testCase.name)")
        }
    }

    @Test func anEmptyBatchHolds() {
        #expect(Sr25519.verifyBatch([]))
        #expect(Sr25519.verifyEach([]) == [])
    }

    @Test func aBatchOfOneGivesTheSingleAnswer() {
        let item = Self.pool[0]
        #expect(Sr25519.verifyBatch([item]))
        #expect(Sr25519.verifyEach([item]) == [true])
        let bad = Mutation.flipBitInS.apply(to: item)
        #expect(!Sr25519.verifyBatch([bad]))
        #expect(Sr25519.verifyEach([bad]) == [false])
    }

    // 300 takes the Pippenger path for the commitments (from 128 items).
    @Test(arguments: [2, 17, 100, 300])
    func manySignaturesByOneKeyVerify(count: Int) {
        let items = Self.signed(count, keys: 1)
        #expect(Sr25519.verifyBatch(items))
        #expect(Sr25519.verifyEach(items) == Array(repeating: true, count: count))
        var spoiled = items
        spoiled[count - 1] = Mutation.wrongMessage.apply(to: items[count - 1])
        #expect(!Sr25519.verifyBatch(spoiled))
        #expect(Sr25519.verifyEach(spoiled) == Array(repeating: true, count: count - 1) + [false])
    }

    // 200 distinct keys take the Pippenger path for the keys too.
    @Test(arguments: [64, 200])
    func signaturesByAllDistinctKeysVerify(count: Int) {
        let items = Self.signed(count, keys: count)
        #expect(Sr25519.verifyBatch(items))
        #expect(Sr25519.verifyEach(items) == Array(repeating: true, count: count))
        var spoiled = items
        spoiled[33] = Mutation.flipBitInS.apply(to: items[33])
        var expected = Array(repeating: true, count: count)
        expected[33] = false
        #expect(!Sr25519.verifyBatch(spoiled))
        #expect(Sr25519.verifyEach(spoiled) == expected)
    }

    @Test func theSameSignatureTwiceVerifies() {
        let item = Self.pool[3]
        #expect(Sr25519.verifyBatch([item, item, Self.pool[4], item]))
    }

    // MARK: One bad item

    @Test(arguments: Mutation.allCases, [0, 7, 15])
    func aBatchWithOneBadSignatureFailsAndNamesIt(mutation: Mutation, position: Int) {
        var items = Array(Self.pool.prefix(16))
        items[position] = mutation.apply(to: items[position])
        #expect(
            !Sr25519.verify(
                items[position].signature, message: items[position].message,
                publicKey: items[position].publicKey), "the mutation must spoil the signature")
        var expected = Array(repeating: true, count: items.count)
        expected[position] = false
        #expect(!Sr25519.verifyBatch(items))
        #expect(Sr25519.verifyEach(items) == expected)
    }

    @Test func twoSignaturesThatCancelEachOtherFailTogether() {
        // Shifting s by the same amount in opposite directions leaves Σ s unchanged: an unweighted sum
        // would accept this pair; the random weights must not.
        var first = Self.pool[0].signature.bytes
        var second = Self.pool[1].signature.bytes
        first[32] &+= 1
        second[32] &-= 1
        let items = [
            Sr25519.BatchItem(
                signature: Sr25519Signature(unchecked: first), message: Self.pool[0].message,
                publicKey: Self.pool[0].publicKey),
            Sr25519.BatchItem(
                signature: Sr25519Signature(unchecked: second), message: Self.pool[1].message,
                publicKey: Self.pool[1].publicKey),
        ]
        #expect(!Sr25519.verifyBatch(items))
        #expect(Sr25519.verifyEach(items) == [false, false])
    }

    @Test func manyBadSignaturesAreEachNamed() {
        var items = Array(Self.pool.prefix(40))
        var expected = Array(repeating: true, count: 40)
        for (offset, position) in [1, 2, 13, 20, 21, 22, 39].enumerated() {
            let mutation = Mutation.allCases[offset % Mutation.allCases.count]
            items[position] = mutation.apply(to: items[position])
            expected[position] = false
        }
        #expect(Sr25519.verifyEach(items) == expected)
        // All bad (s + ℓ spoils every item, whatever was done to it before).
        let allBad = items.map { Mutation.sPlusGroupOrder.apply(to: $0) }
        #expect(Sr25519.verifyEach(allBad) == Array(repeating: false, count: 40))
    }

    // MARK: Agreement with single verification

    /// Random batches with random damage; every answer must equal single verification's.
    @Test func randomBatchesAgreeWithSingleVerification() async {
        var random = SeededGenerator(seed: 0x5eed_ba7c)
        var cases = 0
        var rejectedItems = 0
        for _ in 0..<2500 {
            await Task.yield()  // a long CPU loop hands its cooperative thread back now and then
            let size = Int.random(in: 1...8, using: &random)
            var items = (0..<size).map { _ in Self.pool[Int.random(in: 0..<Self.pool.count, using: &random)] }
            for index in items.indices where Int.random(in: 0..<4, using: &random) == 0 {
                items[index] = Self.randomDamage(to: items[index], using: &random)
            }
            let expected = Self.singleAnswers(items)
            rejectedItems += expected.filter { !$0 }.count
            #expect(Sr25519.verifyEach(items) == expected, "case \(cases)")
            #expect(Sr25519.verifyBatch(items) == !expected.contains(false), "case \(cases)")
            cases += 1
        }
        // The damage must be real often enough for the comparison to mean something.
        #expect(rejectedItems > 1000)
    }

    /// Large batches (both multiplication methods, and bisection through them) with a few damaged items.
    @Test func largeRandomBatchesAgreeWithSingleVerification() async {
        var random = SeededGenerator(seed: 0xb16_ba7c)
        let distinct = Self.signed(200, keys: 200)
        for round in 0..<6 {
            await Task.yield()  // a long CPU loop hands its cooperative thread back now and then
            let source = round.isMultiple(of: 2) ? Self.pool : distinct
            let size = Int.random(in: 130...200, using: &random)
            var items = (0..<size).map { _ in source[Int.random(in: 0..<source.count, using: &random)] }
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                let index = Int.random(in: 0..<size, using: &random)
                items[index] = Self.randomDamage(to: items[index], using: &random)
            }
            let expected = Self.singleAnswers(items)
            #expect(Sr25519.verifyEach(items) == expected, "round \(round)")
            #expect(Sr25519.verifyBatch(items) == !expected.contains(false), "round \(round)")
        }
    }

    static func randomDamage(to item: Sr25519.BatchItem, using random: inout SeededGenerator) -> Sr25519.BatchItem {
        var signature = item.signature.bytes
        var message = item.message
        var key = item.publicKey.bytes
        switch Int.random(in: 0..<6, using: &random) {
        case 0:
            let bit = Int.random(in: 0..<512, using: &random)
            signature[bit / 8] ^= 1 << (bit % 8)
        case 1:
            let bit = Int.random(in: 0..<(8 * message.count), using: &random)
            message[bit / 8] ^= 1 << (bit % 8)
        case 2:
            let bit = Int.random(in: 0..<256, using: &random)
            key[bit / 8] ^= 1 << (bit % 8)
        case 3: signature.replaceSubrange(0..<32, with: random.bytes(32))
        case 4: key = signers[Int.random(in: 0..<signers.count, using: &random)].publicKey.bytes
        default:
            let mutation = Mutation.allCases[Int.random(in: 0..<Mutation.allCases.count, using: &random)]
            return mutation.apply(to: item)
        }
        return Sr25519.BatchItem(
            signature: Sr25519Signature(unchecked: signature), message: message,
            publicKey: Sr25519Public(unchecked: key))
    }

    // MARK: Decoded keys

    @Test func singleVerificationWithADecodedKeyAgrees() throws {
        let vectors = try Sr25519Vectors.load()
        for testCase in vectors.verifyCases {
            let publicKey = Sr25519Public(unchecked: bytes(testCase.public))
            let signature = Sr25519Signature(unchecked: bytes(testCase.signature))
            guard let key = Sr25519VerifyingKey(publicKey) else {
                #expect(!testCase.expected, "\(testCase.name): a key that does not decode verifies nothing")
                continue
            }
            #expect(Sr25519.verify(signature, message: bytes(testCase.message), key: key) == testCase.expected)
        }
        #expect(Sr25519VerifyingKey(Mutation.keyWithBit255.apply(to: Self.pool[0]).publicKey) == nil)
        #expect(Sr25519VerifyingKey(Mutation.notAPointKey.apply(to: Self.pool[0]).publicKey) == nil)
        #expect(Sr25519VerifyingKey(.zero) != nil)
        var random = SeededGenerator(seed: 7)
        for _ in 0..<300 {
            let item = Self.randomDamage(
                to: Self.pool[Int.random(in: 0..<Self.pool.count, using: &random)], using: &random)
            let single = Sr25519.verify(item.signature, message: item.message, publicKey: item.publicKey)
            let prepared = Sr25519VerifyingKey(item.publicKey).map {
                Sr25519.verify(item.signature, message: item.message, key: $0)
            }
            #expect((prepared ?? false) == single)
        }
    }

    // MARK: Statements

    @Test func statementSignaturesAreCheckedPerValidator() {
        let context = SigningContext(sessionIndex: 7, parentHash: H256(repeating: 3))
        let validators = (0..<10).map { Self.signers[$0].publicKey }
        var statements = (0..<30).map { index -> SignedStatement in
            let candidate = H256(repeating: UInt8(index))
            let validator = index % 5
            return SignedStatement.sign(
                index.isMultiple(of: 2) ? .seconded(candidate) : .valid(candidate),
                validatorIndex: ValidatorIndex(UInt32(validator)), context: context, keypair: Self.signers[validator])
        }
        #expect(
            SignedStatement.areSignaturesValid(statements, context: context, validators: validators)
                == Array(repeating: true, count: 30))
        var expected = Array(repeating: true, count: 30)
        // Claimed by another validator than the signer.
        statements[3].validatorIndex = 4
        expected[3] = false
        // A validator index beyond the list.
        statements[11].validatorIndex = 10
        expected[11] = false
        // Another candidate than the one signed.
        statements[20].payload = .valid(H256(repeating: 0xee))
        expected[20] = false
        #expect(SignedStatement.areSignaturesValid(statements, context: context, validators: validators) == expected)
        let keys = validators.map(Sr25519VerifyingKey.init)
        #expect(SignedStatement.areSignaturesValid(statements, context: context, validatorKeys: keys) == expected)
        // Each answer is single verification's.
        #expect(
            expected
                == statements.map { statement in
                    Int(statement.validatorIndex.rawValue) < validators.count
                        && statement.isSignatureValid(
                            context: context, validator: validators[Int(statement.validatorIndex.rawValue)])
                })
        // Another session's context invalidates them all.
        let otherContext = SigningContext(sessionIndex: 8, parentHash: H256(repeating: 3))
        #expect(
            SignedStatement.areSignaturesValid(statements, context: otherContext, validators: validators)
                == Array(repeating: false, count: 30))
        // A validator whose key does not decode signs nothing valid.
        var badKeys = validators
        badKeys[2] = Sr25519Public(unchecked: [UInt8](repeating: 0xff, count: 32))
        let results = SignedStatement.areSignaturesValid(statements, context: context, validators: badKeys)
        for (index, statement) in statements.enumerated() {
            #expect(results[index] == (expected[index] && statement.validatorIndex != 2))
        }
        #expect(SignedStatement.areSignaturesValid([], context: context, validators: validators) == [])
        #expect(SignedStatement.areSignaturesValid([statements[0]], context: context, validators: validators) == [true])
        #expect(
            SignedStatement.areSignaturesValid([statements[11]], context: context, validators: validators) == [false])
    }
}
