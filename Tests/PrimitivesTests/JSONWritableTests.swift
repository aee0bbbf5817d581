import CompactJSON
import Foundation
import Primitives
import TestSupport
import Testing

/// Every `JSONWritable` writer writes exactly the bytes Foundation's encoder writes for the same value.
struct JSONWritableTests {
    static func expectFoundationBytes(_ value: some JSONWritable) throws {
        let written = try CompactJSONEncoder.sortedKeysJSON(value)
        let reference = [UInt8](try JSONOutput.foundationEncode(value))
        #expect(written == reference, "\(String(decoding: written, as: UTF8.self))")
    }

    @Test func candidatesAndStatementsAreWrittenAsFoundationEncodesThem() async throws {
        var r = PropertyTests.Random(rng: SeededGenerator(seed: 21))
        for _ in 0..<300 {
            await Task.yield()  // a long CPU loop hands its cooperative thread back now and then
            let committed = r.receipt()
            try Self.expectFoundationBytes(committed)
            try Self.expectFoundationBytes(committed.descriptor)
            try Self.expectFoundationBytes(committed.commitments)
            try Self.expectFoundationBytes(committed.plainReceipt)
            let statement = r.statement()
            try Self.expectFoundationBytes(statement)
            try Self.expectFoundationBytes(statement.compact)
            try Self.expectFoundationBytes(
                SignedFullStatement(
                    payload: statement, validatorIndex: ValidatorIndex(r.u32()), signature: r.signature()))
            try Self.expectFoundationBytes(
                SignedStatement(
                    payload: statement.compact, validatorIndex: ValidatorIndex(r.u32()), signature: r.signature()))
            try Self.expectFoundationBytes(r.h256())
            try Self.expectFoundationBytes(r.key())
        }
    }

    @Test func everyDisputeStatementKindIsWrittenAsFoundationEncodesIt() throws {
        let kinds: [DisputeStatement] = [
            .valid(.explicit), .valid(.backingSeconded(H256(repeating: 1))), .valid(.backingValid(H256(repeating: 2))),
            .valid(.approvalChecking), .invalid(.explicit),
        ]
        for kind in kinds { try Self.expectFoundationBytes(kind) }
    }

    @Test func integersAtTheirLimitsAndEscapedStringsAreWrittenAsFoundationDoes() throws {
        struct Sample: JSONWritable {
            let text: String
            let number: UInt32
            let wide: Int

            func writeJSON(to writer: inout JSONWriter) {
                writer.object { writer in
                    writer.field("number")
                    writer.integer(number)
                    writer.field("text")
                    writer.string(text)
                    writer.field("wide")
                    writer.integer(wide)
                }
            }
        }
        let texts = ["", "plain", "quote \" backslash \\ slash /", "\n\r\t\u{8}\u{C}\u{1}\u{1F}", "é ü 中文 🚀"]
        for text in texts {
            for (number, wide) in [(0, 0), (9, -1), (10, Int.min), (UInt32.max, Int.max)] {
                try Self.expectFoundationBytes(Sample(text: text, number: UInt32(number), wide: wide))
            }
        }
    }
}
