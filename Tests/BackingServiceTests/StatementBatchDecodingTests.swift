import Foundation
import Primitives
import Testing

@testable import BackingService

/// Decoding a batch's entries on every core answers exactly as decoding the whole body at once.
struct StatementBatchDecodingTests {
    static let relayParent = H256(repeating: 0x11)

    static func entry(_ index: UInt32) -> String {
        let statement = SignedFullStatement(
            payload: .valid(H256(repeating: UInt8(index % 251))), validatorIndex: ValidatorIndex(index),
            signature: Sr25519Signature(unchecked: [UInt8](repeating: UInt8(index % 7), count: 64)))
        // Safe because: encoding a statement cannot fail.
        return String(decoding: try! JSONOutput.encode(statement), as: UTF8.self)
    }

    /// What the whole-body decoder answers, as comparable values.
    static func wholeBody(_ body: String) -> Result<[Result<SignedFullStatement, JSONInputError>], JSONInputError> {
        do {
            let request = try JSONInput.decode(StatementBatchRequest.self, from: Data(body.utf8))
            #expect(request.relayParent == relayParent)
            return .success(request.statements.map(\.result))
        } catch {
            return .failure(error)
        }
    }

    static func decoded(_ body: String) async -> Result<[Result<SignedFullStatement, JSONInputError>], JSONInputError> {
        do {
            let request = try await StatementBatchDecoding.decode(Array(body.utf8))
            #expect(request.relayParent == relayParent)
            return .success(request.statements.map(\.result))
        } catch {
            return .failure(error)
        }
    }

    @Test func aLargeWellFormedBatchIsDecodedInPartsWithTheSameEntries() async throws {
        let entries = (0..<300).map { Self.entry($0) }
        let body = "{\"relayParent\":\"\(Self.relayParent.hex)\",\"statements\":[\(entries.joined(separator: ","))]}"
        #expect(await StatementBatchDecoding.decodeInParallel(Array(body.utf8)) != nil)
        let decoded = await Self.decoded(body)
        #expect(decoded == Self.wholeBody(body))
        #expect((try? decoded.get())?.count == 300)
    }

    @Test(arguments: [
        // Entry-level errors stay entry-level, with the field relative to the entry.
        #"{"relayParent":"RP","statements":[E0,{"payload":{"valid":"0x00"},"validatorIndex":0,"signature":"0x00"},E1]}"#,
        #"{"statements":[E0, E1 ] , "extra": {"nested": [1, "]}", {"x": "\"{"}]}, "relayParent" : "RP"}"#,
        #"  {"relayParent":"RP","statements":[]}  "#,
        #"{"relayParent":"RP","statements":[E0,{"payload":{"seconded":{}},"validatorIndex":-1,"signature":1}]}"#,
        // Whole-body errors (or anything the scan does not take) come from the whole-body decoder.
        #"{"relayParent":"RP","statements":[E0,]}"#,
        #"{"relayParent":"RP","statements":[E0,tru]}"#,
        #"{"relayParent":"RP","statements":[E0 E1]}"#,
        #"{"relayParent":"RP","statements":[E0],"statements":[E1]}"#,
        #"{"relay\u0050arent":"RP","statements":[E0]}"#,
        #"{"relayParent":"0x12","statements":[E0]}"#,
        #"{"relayParent":"RP"}"#,
        #"{"relayParent":"RP","statements":{}}"#,
        #"{"relayParent":"RP","statements":[E0]"#,
        #"["RP",[E0]]"#,
        #"{"relayParent":"RP","statements":[E0]} trailing"#,
        // Another key's value must itself be JSON, as the whole-body decoder parses it before ignoring it.
        #"{"relayParent":"RP","extra":[1,,2],"statements":[E0]}"#,
    ])
    func everyBodyGetsTheWholeBodyDecodersAnswer(template: String) async {
        let body = template.replacingOccurrences(of: "RP", with: Self.relayParent.hex)
            .replacingOccurrences(of: "E0", with: Self.entry(0)).replacingOccurrences(of: "E1", with: Self.entry(1))
        #expect(await Self.decoded(body) == Self.wholeBody(body), "\(body)")
    }

    @Test func aMalformedEntryIsNamedRelativeToItself() async throws {
        let body =
            "{\"relayParent\":\"\(Self.relayParent.hex)\",\"statements\":[\(Self.entry(0)),{\"payload\":{\"valid\":\"0x00\"},\"validatorIndex\":0,\"signature\":\"0x00\"}]}"
        let entries = try await StatementBatchDecoding.decode(Array(body.utf8)).statements
        #expect(
            entries[1].result == .failure(JSONInputError(field: "payload.valid", reason: "expected 32 bytes, got 1")))
    }
}
