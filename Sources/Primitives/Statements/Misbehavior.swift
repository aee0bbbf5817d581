/// A validator's provable misbehaviour found by the statement table, with its evidence.
///
/// Every piece of evidence is a signed statement that verifies on its own against the leaf's signing
/// context and the offender's key. JSON: `{"kind": …, "variant": …, "statements": [SignedStatement]}`
/// with the statements in the order of contract §7.6.
public enum Misbehavior: Codable, Hashable, Sendable {
    /// The validator seconded a candidate and also sent Valid for it (`IssuedAndValidity`).
    case validityDoubleVote(seconded: SignedFullStatement, valid: SignedFullStatement)
    /// The validator seconded two different candidates.
    case multipleCandidates(first: SignedFullStatement, second: SignedFullStatement)
    /// The validator spoke about a candidate of a group it is not in.
    case unauthorizedStatement(SignedFullStatement)
    /// The validator signed the same statement twice with different signatures.
    case doubleSign(DoubleSignKind, first: SignedFullStatement, second: SignedFullStatement)

    /// Which statement was double-signed.
    public enum DoubleSignKind: String, Codable, Hashable, Sendable {
        case seconded
        case validity
    }

    /// The `kind` name used in JSON.
    public var kind: String {
        switch self {
        case .validityDoubleVote: "validityDoubleVote"
        case .multipleCandidates: "multipleCandidates"
        case .unauthorizedStatement: "unauthorizedStatement"
        case .doubleSign: "doubleSign"
        }
    }

    /// The `variant` name used in JSON, where the kind has variants.
    public var variant: String? {
        switch self {
        case .validityDoubleVote: "issuedAndValidity"
        case .doubleSign(let kind, _, _): kind.rawValue
        case .multipleCandidates, .unauthorizedStatement: nil
        }
    }

    /// The evidence, in the contract's order.
    public var statements: [SignedFullStatement] {
        switch self {
        case .validityDoubleVote(let seconded, let valid): [seconded, valid]
        case .multipleCandidates(let first, let second): [first, second]
        case .unauthorizedStatement(let statement): [statement]
        case .doubleSign(_, let first, let second): [first, second]
        }
    }

    /// The misbehaving validator.
    public var offender: ValidatorIndex { statements[0].validatorIndex }

    enum CodingKeys: String, CodingKey { case kind, variant, statements }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encodeIfPresent(variant, forKey: .variant)
        try container.encode(statements, forKey: .statements)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(String.self, forKey: .kind)
        let statements = try container.decode([SignedFullStatement].self, forKey: .statements)
        let expected = kind == "unauthorizedStatement" ? 1 : 2
        guard statements.count == expected else {
            throw DecodingError.dataCorruptedError(
                forKey: .statements, in: container, debugDescription: "\(kind) needs \(expected) statement(s)")
        }
        switch kind {
        case "validityDoubleVote": self = .validityDoubleVote(seconded: statements[0], valid: statements[1])
        case "multipleCandidates": self = .multipleCandidates(first: statements[0], second: statements[1])
        case "unauthorizedStatement": self = .unauthorizedStatement(statements[0])
        case "doubleSign":
            guard let variant = DoubleSignKind(rawValue: try container.decode(String.self, forKey: .variant)) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .variant, in: container, debugDescription: "expected seconded or validity")
            }
            self = .doubleSign(variant, first: statements[0], second: statements[1])
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container,
                debugDescription:
                    "expected validityDoubleVote, multipleCandidates, unauthorizedStatement or doubleSign")
        }
    }
}
