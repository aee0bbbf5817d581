/// A plain or a committed candidate receipt, as harness tools accept either: told apart in JSON by a
/// `commitments` field (committed) or a `commitmentsHash` field (plain).
public enum AnyCandidateReceipt: Decodable, Hashable, Sendable {
    case plain(CandidateReceipt)
    case committed(CommittedCandidateReceipt)

    enum Keys: String, CodingKey { case commitments }

    public init(from decoder: any Decoder) throws {
        if try decoder.container(keyedBy: Keys.self).contains(.commitments) {
            self = .committed(try CommittedCandidateReceipt(from: decoder))
        } else {
            self = .plain(try CandidateReceipt(from: decoder))
        }
    }

    /// The descriptor, as given.
    public var descriptor: CandidateDescriptor {
        switch self {
        case .plain(let receipt): receipt.descriptor
        case .committed(let receipt): receipt.descriptor
        }
    }

    /// The candidate hash (of the plain receipt in both cases).
    public var candidateHash: CandidateHash {
        switch self {
        case .plain(let receipt): receipt.hash
        case .committed(let receipt): receipt.hash
        }
    }

    /// The commitments hash: given in a plain receipt, computed for a committed one.
    public var commitmentsHash: Hash {
        switch self {
        case .plain(let receipt): receipt.commitmentsHash
        case .committed(let receipt): receipt.commitments.hash
        }
    }

    /// The SCALE encoding of the receipt as given (a committed receipt encodes as one).
    public var scaleEncoded: [UInt8] {
        switch self {
        case .plain(let receipt): receipt.scaleEncoded
        case .committed(let receipt): receipt.scaleEncoded
        }
    }
}
