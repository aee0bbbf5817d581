import Foundation
import Primitives
import TestSupport
import Testing

struct JSONTests {
    struct SecondRequest: Decodable {
        let relayParent: H256
        let candidate: CandidateReceipt
        let pov: PoV
    }

    static let descriptorJSON = """
        {"paraId": 100, "relayParent": "0x\(String(repeating: "05", count: 32))",
         "collator": "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
         "persistedValidationDataHash": "0x\(String(repeating: "AB", count: 32))",
         "povHash": "0x\(String(repeating: "01", count: 32))", "erasureRoot": "0x\(String(repeating: "02", count: 32))",
         "signature": "0x\(String(repeating: "03", count: 64))", "paraHead": "0x\(String(repeating: "04", count: 32))",
         "validationCodeHash": "0x\(String(repeating: "06", count: 32))", "somethingNew": [1, 2]}
        """

    static func request(descriptor: String = descriptorJSON) -> Data {
        Data(
            """
            {"relayParent": "0x\(String(repeating: "05", count: 32))",
             "candidate": {"descriptor": \(descriptor), "commitmentsHash": "0x\(String(repeating: "07", count: 32))"},
             "pov": {"blockData": "0x010203"}}
            """.utf8)
    }

    @Test func acceptsUppercaseHexSS58KeysAndUnknownFields() throws {
        let request = try JSONInput.decode(SecondRequest.self, from: Self.request())
        #expect(request.candidate.descriptor.paraId == 100)
        #expect(
            request.candidate.descriptor.collator.hex
                == "0x90b5ab205c6974c9ea841be688864633dc9ca8a357843eeacf2314649965fe22")
        #expect(request.candidate.descriptor.persistedValidationDataHash == H256(repeating: 0xab))
        #expect(request.pov == PoV([1, 2, 3]))
    }

    @Test func aShortHashIsReportedWithItsPath() {
        let bad = Self.descriptorJSON.replacingOccurrences(
            of: "\"povHash\": \"0x\(String(repeating: "01", count: 32))\"",
            with: "\"povHash\": \"0x\(String(repeating: "01", count: 31))\"")
        #expect(throws: JSONInputError(field: "candidate.descriptor.povHash", reason: "expected 32 bytes, got 31")) {
            try JSONInput.decode(SecondRequest.self, from: Self.request(descriptor: bad))
        }
        #expect(
            (try? JSONInput.decode(SecondRequest.self, from: Self.request(descriptor: bad))) == nil)
    }

    @Test func missingWrongTypeAndNonHexFieldsNameTheField() {
        func error(_ json: String) -> JSONInputError? {
            do {
                _ = try JSONInput.decode(SecondRequest.self, from: Self.request(descriptor: json))
                return nil
            } catch { return error }
        }
        let missing = Self.descriptorJSON.replacingOccurrences(of: "\"paraId\": 100,", with: "")
        #expect(error(missing) == JSONInputError(field: "candidate.descriptor.paraId", reason: "missing field"))
        let negative = Self.descriptorJSON.replacingOccurrences(of: "\"paraId\": 100", with: "\"paraId\": -1")
        #expect(error(negative)?.field == "candidate.descriptor.paraId")
        let notHex = Self.descriptorJSON.replacingOccurrences(
            of: "0x\(String(repeating: "04", count: 32))", with: "0xZZ")
        #expect(
            error(notHex) == JSONInputError(field: "candidate.descriptor.paraHead", reason: "expected 0x-prefixed hex"))
        let badAddress = Self.descriptorJSON.replacingOccurrences(
            of: "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
            with: "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Z")
        #expect(error(badAddress)?.field == "candidate.descriptor.collator")
    }

    /// The contract and openapi.yaml document `0x` hex; bare digits (or an empty string) are refused by field
    /// name instead of being read as bytes, whether the field is a hash, variable-length bytes or a bit vector.
    @Test func hexWithoutItsPrefixIsRefusedByFieldName() {
        func error(_ json: String) -> JSONInputError? {
            do {
                _ = try JSONInput.decode(SecondRequest.self, from: Self.request(descriptor: json))
                return nil
            } catch { return error }
        }
        let bareHash = Self.descriptorJSON.replacingOccurrences(
            of: "0x\(String(repeating: "04", count: 32))", with: String(repeating: "04", count: 32))
        #expect(
            error(bareHash)
                == JSONInputError(field: "candidate.descriptor.paraHead", reason: "expected 0x-prefixed hex"))
        let upperPrefix = Self.descriptorJSON.replacingOccurrences(
            of: "0x\(String(repeating: "04", count: 32))", with: "0X\(String(repeating: "04", count: 32))")
        #expect(error(upperPrefix) == nil)
        #expect(Hex.decode("") == nil)
        #expect(Hex.decode("0x") == [])
        #expect(Hex.decode("abcd") == nil)
        #expect(Hex.decodeDigits("abcd") == [0xab, 0xcd])
        #expect(throws: (any Error).self) { try JSONDecoder().decode(BitVec.self, from: Data(#""01""#.utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(HeadData.self, from: Data(#""""#.utf8)) }
    }

    /// The table decoder behind the strict reader answers what the digit-by-digit one does, for every byte in
    /// either place of a pair and among valid pairs.
    @Test func hexDigitsDecodeByTableExactlyAsDigitByDigit() {
        for byte in 0...255 {
            for digits in [[UInt8(byte), UInt8(ascii: "7")], [UInt8(ascii: "a"), UInt8(byte)]] {
                let text = Array("0xC3".utf8) + digits + Array("f0".utf8)
                var out = [UInt8](repeating: 0, count: 3)
                let valid = text.dropFirst(2).withUnsafeBufferPointer { digits in
                    out.withUnsafeMutableBufferPointer { Hex.decode(digits: digits, into: $0) }
                }
                let expected = Hex.decode(String(decoding: text, as: UTF8.self))
                #expect(valid == (expected != nil), "\(byte)")
                if let expected { #expect(out == expected) }
            }
        }
    }

    @Test func malformedJSONIsADocumentLevelError() {
        #expect(throws: JSONInputError.self) {
            try JSONInput.decode(SecondRequest.self, from: Data("{\"relayParent\": ".utf8))
        }
    }

    @Test func arrayElementsAppearAsIndicesInThePath() {
        let json = Data(#"[{"valid": "0x00"}]"#.utf8)
        #expect(throws: JSONInputError(field: "[0].valid", reason: "expected 32 bytes, got 1")) {
            try JSONInput.decode([Statement].self, from: json)
        }
    }

    @Test func enumsAreExternallyTaggedAsPolkadotJSPrintsThem() throws {
        let hash = H256(repeating: 1)
        #expect(
            String(decoding: try JSONOutput.encode(Statement.valid(hash)), as: UTF8.self)
                == #"{"valid":"\#(hash.hex)"}"#)
        #expect(
            String(decoding: try JSONOutput.encode(ValidityAttestation.implicit(.zero)), as: UTF8.self)
                == #"{"implicit":"\#(Sr25519Signature.zero.hex)"}"#)
        #expect(String(decoding: try JSONOutput.encode(CoreState.free), as: UTF8.self) == #"{"free":null}"#)
        #expect(
            String(decoding: try JSONOutput.encode(CoreState.scheduled(ScheduledCore(paraId: 100))), as: UTF8.self)
                == #"{"scheduled":{"collator":null,"paraId":100}}"#)
        #expect(
            try JSONInput.decode(CoreState.self, from: Data(#"{"occupied": {}}"#.utf8)) == .occupied(OccupiedCore()))
        #expect(throws: JSONInputError(field: "", reason: "expected an object with one of the keys seconded, valid")) {
            try JSONInput.decode(Statement.self, from: Data(#"{"approved": "0x00"}"#.utf8))
        }
        let commitments = String(decoding: try JSONOutput.encode(CandidateCommitments()), as: UTF8.self)
        #expect(commitments.contains(#""newValidationCode":null"#))
    }

    @Test func backedCandidateJSONCarriesItsScaleEncoding() throws {
        let backed = BackedCandidate(
            candidate: CommittedCandidateReceipt(), validityVotes: [.explicit(.zero)],
            validatorIndices: BitVec([false, true]))
        let object = try JSONSerialization.jsonObject(with: JSONOutput.encode(backed)) as? [String: Any]
        #expect(object?["encoded"] as? String == Hex.encode(backed.scaleEncoded))
        #expect(object?["validatorIndices"] as? String == "0x0802")
    }

    @Test func misbehaviorJSONListsTheEvidenceInContractOrder() throws {
        let first = SignedFullStatement(
            payload: .seconded(CommittedCandidateReceipt()), validatorIndex: 3,
            signature: Sr25519Signature(repeating: 1))
        let second = SignedFullStatement(
            payload: .valid(CommittedCandidateReceipt().hash), validatorIndex: 3,
            signature: Sr25519Signature(repeating: 2))
        let misbehavior = Misbehavior.validityDoubleVote(seconded: first, valid: second)
        let json = try JSONOutput.encode(misbehavior)
        let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        #expect(object?["kind"] as? String == "validityDoubleVote")
        #expect(object?["variant"] as? String == "issuedAndValidity")
        #expect((object?["statements"] as? [Any])?.count == 2)
        #expect(try JSONInput.decode(Misbehavior.self, from: json) == misbehavior)
        #expect(misbehavior.offender == 3)
    }
}

extension JSONTests {
    @Test(arguments: ["-1", "1.5", "4294967296"])
    func outOfRangeNumbersNameTheirField(number: String) {
        let json = Data(
            #"{"parentHead": "0x", "relayParentNumber": \#(number), "relayParentStorageRoot": "0x\#(String(repeating: "00", count: 32))", "maxPovSize": 5}"#
                .utf8)
        #expect(throws: JSONInputError(field: "relayParentNumber", reason: "expected an integer from 0 to 4294967295"))
        {
            try JSONInput.decode(PersistedValidationData.self, from: json)
        }
    }
}

extension JSONTests {
    @Test func nestingDeeperThan64LevelsIsRefusedBeforeParsing() throws {
        let deep = Data((String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).utf8)
        #expect(throws: JSONInputError(field: "", reason: "nesting deeper than 64 levels")) {
            try JSONInput.decode([String].self, from: deep)
        }
        let brackets = Data(("[\"" + String(repeating: "[", count: 100) + "\"]").utf8)
        #expect(try JSONInput.decode([String].self, from: brackets) == [String(repeating: "[", count: 100)])
    }
}

struct JSONKeyTests {
    /// Object keys naming a para or a core are canonical decimal u32s, as openapi.yaml's `U32Key` pattern says.
    @Test(arguments: [("0", 0), ("100", 100), ("4294967295", 4_294_967_295)] as [(String, UInt32)])
    func canonicalDecimalKeysAreRead(text: String, value: UInt32) {
        #expect(UInt32(jsonKey: text) == value)
    }

    @Test(arguments: ["", "0100", "+100", " 100", "100 ", "4294967296", "99999999999", "1e3", "-1", "x"])
    func otherKeysAreRefused(text: String) {
        #expect(UInt32(jsonKey: text) == nil)
    }
}
