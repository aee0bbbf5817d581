import Foundation
import Primitives

/// The strict JSON reader against Foundation, on every type that has a strict form.
///
/// Invariant: whatever the strict reader accepts, Foundation (behind the nesting and UTF-8 checks every
/// request body passes) accepts too, as the same value; the strict reader never decides an error.
public enum StrictJSONAgreement {
    @Sendable public static func check(_ data: [UInt8]) {
        _ = try? JSONInput.checkNesting(data)
        agree(SignedFullStatement.self, data)
        agree(Statement.self, data)
        agree(CommittedCandidateReceipt.self, data)
        agree(CandidateDescriptor.self, data)
        agree(CandidateCommitments.self, data)
    }

    private static func agree<T: StrictJSONDecodable & Equatable>(_ type: T.Type, _ data: [UInt8]) {
        guard let strict = StrictJSONReader.read(data, { T(strictJSON: &$0) }) else { return }
        let reference = Result { () throws(JSONInputError) in try JSONInput.decode(T.self, from: Data(data)) }
        switch reference {
        case .success(let value):
            precondition(value == strict, "\(T.self): the strict reader's value differs from Foundation's")
        case .failure(let error):
            preconditionFailure("\(T.self): the strict reader accepted what Foundation refuses: \(error)")
        }
    }
}
