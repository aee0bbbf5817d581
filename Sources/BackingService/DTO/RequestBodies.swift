import Backing
import Primitives

/// `POST /v1/second`.
struct SecondRequest: Decodable {
    let relayParent: Hash
    let candidate: CandidateReceipt
    let pov: PoV
}

/// `POST /v1/statements`.
struct StatementRequest: StrictJSONDecodable {
    let relayParent: Hash
    let statement: SignedFullStatement

    init(relayParent: Hash, statement: SignedFullStatement) {
        self.relayParent = relayParent
        self.statement = statement
    }

    private static let keys = StrictJSONKeys("relayParent", "statement")

    /// Reads `{"relayParent", "statement"}`.
    init?(strictJSON reader: inout StrictJSONReader) {
        var relayParent: Hash?
        var statement: SignedFullStatement?
        let complete = reader.object(Self.keys) { reader, key in
            if key == 0 {
                relayParent = reader.fixed(Hash.self)
                return relayParent != nil
            }
            statement = SignedFullStatement(strictJSON: &reader)
            return statement != nil
        }
        guard complete, let relayParent, let statement else { return nil }
        self.init(relayParent: relayParent, statement: statement)
    }
}

/// `POST /v1/statements/batch`: each statement decodes on its own, so one bad entry gets its own error.
struct StatementBatchRequest: Decodable {
    let relayParent: Hash
    let statements: [Lenient<SignedFullStatement>]
}

/// `POST /v1/backed-candidates`.
struct BackedCandidatesRequest: Decodable {
    let relayParent: Hash
    let candidateHashes: [CandidateHash]
}

/// `PUT /v1/validation-code` with a JSON body.
struct ValidationCodeRequest: Decodable {
    let code: Bytes
}

/// `POST /v1/tools/candidate-hash`.
struct CandidateHashRequest: Decodable {
    let candidate: AnyCandidateReceipt
}

/// `POST /v1/tools/erasure-root`.
struct ErasureRootRequest: Decodable {
    let nValidators: Int
    let availableData: AvailableData
}

/// A value that failed to decode is kept as its error (with the path inside the value), not thrown.
struct Lenient<Value: Decodable & Sendable>: Decodable, Sendable {
    let result: Result<Value, JSONInputError>

    init(_ result: Result<Value, JSONInputError>) { self.result = result }

    /// A decoding error names its field relative to this value (`payload.valid`, not
    /// `statements[3].payload.valid`); the batch answer places it under the entry.
    init(from decoder: any Decoder) throws {
        do {
            result = .success(try Value(from: decoder))
        } catch let error as DecodingError {
            result = .failure(JSONInput.describe(error, relativeToDepth: decoder.codingPath.count))
        }
    }
}
