import Foundation
import Primitives
import TestSupport
import Testing

/// `StrictJSONReader` may only ever answer what Foundation answers: the same value for the canonical
/// form, and `nil` (Foundation decides) for everything else.
struct StrictJSONTests {
    static func strict(_ bytes: [UInt8]) -> SignedFullStatement? {
        StrictJSONReader.read(bytes) { SignedFullStatement(strictJSON: &$0) }
    }

    static func foundation(_ bytes: [UInt8]) -> SignedFullStatement? {
        try? JSONInput.decode(SignedFullStatement.self, from: Data(bytes))
    }

    static func randomStatements(_ count: Int, seed: UInt64) -> [SignedFullStatement] {
        var r = PropertyTests.Random(rng: SeededGenerator(seed: seed))
        return (0..<count).map { _ in
            SignedFullStatement(
                payload: r.statement(), validatorIndex: ValidatorIndex(r.u32()), signature: r.signature())
        }
    }

    @Test func readsTheCanonicalAndPrettyPrintedFormsAsFoundationDoes() async throws {
        for statement in Self.randomStatements(400, seed: 7) {
            await Task.yield()  // a long CPU loop hands its cooperative thread back now and then
            let compact = try JSONOutput.encodeBytes(statement)
            let pretty = try JSONOutput.encodeBytes(statement, pretty: true)
            #expect(Self.strict(compact) == statement)
            #expect(Self.strict(pretty) == statement)
            #expect(Self.foundation(compact) == statement)
        }
    }

    @Test func decodingBytesAnswersAsDecodingDataDoesForStrictAndOtherForms() throws {
        let statement = Self.randomStatements(1, seed: 9)[0]
        let canonical = try JSONOutput.encodeBytes(statement)
        let malformed = Array(
            String(decoding: canonical, as: UTF8.self).replacingOccurrences(
                of: "\"signature\":\"0x", with: "\"signature\":\"0xzz"
            ).utf8)
        for document in [canonical, try JSONOutput.encodeBytes(statement, pretty: true), malformed] {
            let fromBytes = Result { () throws(JSONInputError) in
                try JSONInput.decode(SignedFullStatement.self, from: document)
            }
            let fromData = Result { () throws(JSONInputError) in
                try JSONInput.decode(SignedFullStatement.self, from: Data(document))
            }
            #expect(fromBytes == fromData)
        }
        #expect(try JSONInput.decode(SignedFullStatement.self, from: canonical) == statement)
    }

    @Test func aMutatedDocumentIsEitherDeclinedOrReadAsFoundationReadsIt() async throws {
        var rng = SeededGenerator(seed: 11)
        let alphabet = Array(#"{}[]:,"\ 0123456789.eE+-xXabfnul"#.utf8) + [0x09, 0x0A, 0xC3, 0xFF, 0x00]
        let seeds = try Self.randomStatements(40, seed: 12).map { try JSONOutput.encodeBytes($0) }
        var accepted = 0
        var declined = 0
        for round in 0..<20_000 {
            if round % 200 == 0 { await Task.yield() }  // hands the cooperative thread back now and then
            var document = seeds[round % seeds.count]
            for _ in 0...Int.random(in: 0...2, using: &rng) {
                let at = Int.random(in: 0..<document.count, using: &rng)
                let byte = alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
                switch Int.random(in: 0...2, using: &rng) {
                case 0: document[at] = byte
                case 1: document.insert(byte, at: at)
                default: document.remove(at: at)
                }
            }
            guard let read = Self.strict(document) else {
                declined += 1
                continue
            }
            accepted += 1
            let reference = Self.foundation(document)
            #expect(reference == read, "\(String(decoding: document, as: UTF8.self))")
        }
        // Both sides were exercised: hex case changes and white space keep a document canonical, the rest not.
        #expect(accepted > 500)
        #expect(declined > 5_000)
    }

    @Test(arguments: [
        // A duplicate, unknown, missing or escaped key.
        #"{"payload":{"valid":"0xHASH"},"validatorIndex":1,"validatorIndex":2,"signature":"0xSIG"}"#,
        #"{"payload":{"valid":"0xHASH"},"validatorIndex":1,"signature":"0xSIG","extra":0}"#,
        #"{"payload":{"valid":"0xHASH"},"signature":"0xSIG"}"#,
        #"{"payload":{"valid":"0xHASH"},"validator\u0049ndex":1,"signature":"0xSIG"}"#,
        #"{"payload":{"valid":"0xHASH","seconded":null},"validatorIndex":1,"signature":"0xSIG"}"#,
        // Numbers Foundation reads as Doubles, or refuses.
        #"{"payload":{"valid":"0xHASH"},"validatorIndex":1.0,"signature":"0xSIG"}"#,
        #"{"payload":{"valid":"0xHASH"},"validatorIndex":1e0,"signature":"0xSIG"}"#,
        #"{"payload":{"valid":"0xHASH"},"validatorIndex":-0,"signature":"0xSIG"}"#,
        #"{"payload":{"valid":"0xHASH"},"validatorIndex":01,"signature":"0xSIG"}"#,
        #"{"payload":{"valid":"0xHASH"},"validatorIndex":4294967296,"signature":"0xSIG"}"#,
        // Hex without its prefix, with an escape, or of the wrong length; something after the value.
        #"{"payload":{"valid":"HASH"},"validatorIndex":1,"signature":"0xSIG"}"#,
        #"{"payload":{"valid":"0x\u0030HASH"},"validatorIndex":1,"signature":"0xSIG"}"#,
        #"{"payload":{"valid":"0xHASH00"},"validatorIndex":1,"signature":"0xSIG"}"#,
        #"{"payload":{"valid":"0xHASH"},"validatorIndex":1,"signature":"0xSIG"} x"#,
        #"{"payload":{"valid":"0xHASH"},"validatorIndex":1,"signature":"0xSIG"},"#,
    ])
    func declinesWhatIsNotCanonical(_ template: String) {
        let document = Array(
            template.replacingOccurrences(of: "HASH", with: String(repeating: "ab", count: 32))
                .replacingOccurrences(of: "SIG", with: String(repeating: "cd", count: 64)).utf8)
        #expect(Self.strict(document) == nil)
    }

    @Test func declinesAnSS58CollatorAndAMissingNewValidationCodeWhichFoundationAccepts() throws {
        let statement = Self.randomStatements(40, seed: 3).first {
            if case .seconded = $0.payload { true } else { false }
        }
        let seconded = try #require(statement)
        let canonical = String(decoding: try JSONOutput.encodeBytes(seconded), as: UTF8.self)
        guard case .seconded(let receipt) = seconded.payload else { return }
        let ss58 = canonical.replacingOccurrences(
            of: receipt.descriptor.collator.hex, with: SS58.encode(receipt.descriptor.collator.bytes, prefix: 42))
        var withoutCode = receipt
        withoutCode.commitments.newValidationCode = nil
        let missing = String(
            decoding: try JSONOutput.encodeBytes(
                SignedFullStatement(
                    payload: .seconded(withoutCode), validatorIndex: seconded.validatorIndex,
                    signature: seconded.signature)), as: UTF8.self
        ).replacingOccurrences(of: #""newValidationCode":null,"#, with: "")
        for document in [ss58, missing].map({ Array($0.utf8) }) {
            #expect(Self.strict(document) == nil)
            #expect(Self.foundation(document) != nil)
        }
    }
}
