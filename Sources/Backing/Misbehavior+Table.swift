public import Primitives
public import StatementTable

extension Misbehavior {
    /// The reportable form of a table misbehaviour by `offender`: every piece of evidence becomes a
    /// signed statement that verifies on its own.
    public init(_ table: TableMisbehavior<TableContext>, offender: ValidatorIndex) {
        func signed(_ statement: Statement, _ signature: ValidatorSignature) -> SignedFullStatement {
            SignedFullStatement(payload: statement, validatorIndex: offender, signature: signature)
        }
        switch table {
        case .validityDoubleVote(let candidate, let s1, let digest, let s2):
            self = .validityDoubleVote(seconded: signed(.seconded(candidate), s1), valid: signed(.valid(digest), s2))
        case .multipleCandidates(let first, let s1, let second, let s2):
            self = .multipleCandidates(first: signed(.seconded(first), s1), second: signed(.seconded(second), s2))
        case .unauthorizedStatement(let statement):
            let payload: Statement =
                switch statement.statement {
                case .seconded(let candidate): .seconded(candidate)
                case .valid(let digest): .valid(digest)
                }
            self = .unauthorizedStatement(
                SignedFullStatement(payload: payload, validatorIndex: statement.sender, signature: statement.signature))
        case .doubleSignSeconded(let candidate, let a, let b):
            self = .doubleSign(
                .seconded, first: signed(.seconded(candidate), a), second: signed(.seconded(candidate), b))
        case .doubleSignValidity(let digest, let a, let b):
            self = .doubleSign(.validity, first: signed(.valid(digest), a), second: signed(.valid(digest), b))
        }
    }
}
