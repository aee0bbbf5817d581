import Backing
import CompactJSON
import Foundation
import HTTPServer
import Primitives
import StatementTable
import TestSupport
import Testing

@testable import BackingService

/// Statement answers and batch answers are written byte for byte as Foundation encodes them.
struct ResponseWriterTests {
    @Test func statementAndBatchAnswersAreTheFoundationEncoding() throws {
        var rng = SeededGenerator(seed: 17)
        let reasons = [nil, "the leaf is no longer active", "validator 7 is disabled", "quote \" and\nnewline é"]
        var results: [BatchResult] = []
        for round in 0..<200 {
            let hash = H256(unchecked: rng.bytes(32))
            let summary =
                round % 3 == 0
                ? nil
                : Summary(candidate: hash, groupId: ParaId(UInt32(round * 21_000_000)), validityVotes: round % 7)
            let response = StatementResponse(
                StatementOutcome(candidateHash: hash, summary: summary, ignoredReason: reasons[round % reasons.count]))
            #expect(try CompactJSONEncoder.sortedKeysJSON(response) == [UInt8](JSONOutput.foundationEncode(response)))
            results.append(
                round % 5 == 4
                    ? .error(.badRequest("statements[\(round)].signature: expected 64 bytes, got \(round)"))
                    : .ok(response))
        }
        let answer = BatchAnswer(results: results)
        #expect(try CompactJSONEncoder.sortedKeysJSON(answer) == [UInt8](JSONOutput.foundationEncode(answer)))
        #expect(try CompactJSONEncoder.sortedKeysJSON(BatchAnswer(results: [])) == Array(#"{"results":[]}"#.utf8))
    }
}
