import Foundation
import Primitives
import TestSupport
import Testing

/// JSON input must be UTF-8 everywhere, unknown fields included: invalid bytes are refused with their
/// byte offset before Foundation, which would accept them inside a string it then ignores.
struct UTF8InputTests {
    struct Body: Decodable { let known: String }

    static func document(_ inner: [UInt8]) -> [UInt8] {
        Array(#"{"known":"a","unknown":""#.utf8) + inner + Array(#""}"#.utf8)
    }

    @Test func invalidUTF8InAnUnknownFieldIsRefusedWithItsByteOffset() {
        let bytes = Self.document([0x61, 0xC3, 0x28])  // "a", then a two-byte lead with an ASCII follower
        let offset = Array(#"{"known":"a","unknown":"a"#.utf8).count
        #expect(throws: JSONInputError(field: "", reason: "invalid UTF-8 at byte offset \(offset)")) {
            try JSONInput.decode(Body.self, from: Data(bytes))
        }
        #expect(throws: JSONInputError.self) { try JSONInput.decode(Body.self, from: bytes) }
    }

    @Test func wellFormedMultibyteTextIsAccepted() throws {
        let text = "é€𝄞 naïve"
        let decoded = try JSONInput.decode(Body.self, from: Data(#"{"known":"\#(text)","x":"ü"}"#.utf8))
        #expect(decoded.known == text)
    }

    /// Every byte string inside a JSON string is refused exactly when Swift's own UTF-8 validation refuses
    /// it: overlong forms, surrogates, values above U+10FFFF, truncated and stray continuation bytes.
    @Test func theCheckAgreesWithSwiftsUTF8ValidationOnRandomBytes() async {
        var rng = SeededGenerator(seed: 8)
        var refused = 0
        let interesting: [UInt8] = [
            0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0x41, 0x9F, 0xA0, 0x8F, 0x90,
        ]
        for round in 0..<20_000 {
            if round % 200 == 0 { await Task.yield() }  // hands the cooperative thread back now and then
            let length = Int.random(in: 1...6, using: &rng)
            let inner: [UInt8] = (0..<length).map { _ in
                Bool.random(using: &rng)
                    ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0x20...0xFF, using: &rng)
            }.map { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") ? UInt8(ascii: "x") : $0 }
            let valid = String(validating: inner, as: UTF8.self) != nil
            var checked = true
            do { try JSONInput.checkNesting(Self.document(inner)) } catch { checked = false }
            #expect(checked == valid, "\(Hex.encode(inner))")
            if !valid { refused += 1 }
        }
        #expect(refused > 1_000)
    }

    /// The check as it was before it skipped string contents eight bytes at a time: byte by byte, nesting
    /// only outside strings (ASCII documents only: UTF-8 is the test above's).
    static func nestingRefused(_ bytes: [UInt8]) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > JSONInput.maximumNesting { return true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return false
    }

    /// Strings of every length around the eight-byte steps, with brackets inside them that must not count,
    /// quotes and backslashes (escaped or ending the string) at every offset, and non-ASCII text: the check
    /// refuses exactly the documents the byte-by-byte scan refuses.
    @Test func skippingStringContentsAgreesWithTheByteByByteScan() {
        var rng = SeededGenerator(seed: 64)
        let alphabet = Array("0123456789abcdef[{]}\"\\".utf8)
        var refused = 0
        for _ in 0..<4_000 {
            var document: [UInt8] = []
            for _ in 0..<Int.random(in: 1...160, using: &rng) {
                if Int.random(in: 0..<3, using: &rng) == 0 {
                    document += Array(#""0x"#.utf8)
                    for _ in 0..<Int.random(in: 0...40, using: &rng) {
                        document.append(
                            Int.random(in: 0..<4, using: &rng) == 0
                                ? alphabet.randomElement(using: &rng)! : UInt8(ascii: "a"))
                    }
                    if Int.random(in: 0..<8, using: &rng) == 0 { document += Array("é".utf8) }
                    document.append(UInt8(ascii: "\""))
                } else {
                    document.append(Array("[{".utf8).randomElement(using: &rng)!)
                }
            }
            let expected = Self.nestingRefused(document)
            var checked = false
            do { try JSONInput.checkNesting(document) } catch {
                checked = error.reason.hasPrefix("nesting")
            }
            #expect(checked == expected, "\(String(decoding: document, as: UTF8.self))")
            if expected { refused += 1 }
        }
        #expect(refused > 200 && refused < 3_800, "\(refused)")
    }
}
