import Backing
import Primitives

/// `POST /v1/second`.
struct SecondRequest: Decodable {
    let relayParent: Hash
    let candidate: CandidateReceipt
    let pov: PoV
    /// The validation data the candidate builds on: required at an async-backing relay parent.
    let persistedValidationData: PersistedValidationData?
}

/// `POST /v1/statements`.
struct StatementRequest: StrictJSONDecodable {
    let relayParent: Hash
    let statement: SignedFullStatement
    /// A Seconded's validation data at an async-backing relay parent (`SignedFullStatementWithPVD`; not
    /// signed). Bodies that carry it are read by Foundation, not the strict reader.
    let persistedValidationData: PersistedValidationData?

    init(relayParent: Hash, statement: SignedFullStatement, persistedValidationData: PersistedValidationData? = nil) {
        self.relayParent = relayParent
        self.statement = statement
        self.persistedValidationData = persistedValidationData
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
    /// The validation data of the batch's Seconded statements at an async-backing relay parent, in any
    /// order: each Seconded takes the one that hashes to its descriptor's `persistedValidationDataHash`.
    let persistedValidationData: [PersistedValidationData]?

    init(
        relayParent: Hash, statements: [Lenient<SignedFullStatement>],
        persistedValidationData: [PersistedValidationData]? = nil
    ) {
        self.relayParent = relayParent
        self.statements = statements
        self.persistedValidationData = persistedValidationData
    }
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

/// `POST /v1/backable-candidates`: either the chains to look up (`candidates`, backing's
/// `GetBackableCandidates`), or a leaf and how many candidates of each para the provisioner wants
/// (`leaf` + `paras`, which prospective parachains turns into those chains first).
struct BackableCandidatesRequest: Decodable {
    struct Entry: Decodable {
        let candidateHash: CandidateHash
        let relayParent: Hash
    }

    struct Want: Decodable {
        let count: Int
        /// The para's candidates already pending availability or chosen: the chain continues after them.
        let ancestors: [CandidateHash]?
    }

    let candidates: [ParaId: [Entry]]?
    let leaf: Hash?
    let paras: [ParaId: Want]?

    enum CodingKeys: String, CodingKey { case candidates, leaf, paras }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        candidates = try Self.byPara([Entry].self, in: c, forKey: .candidates)
        leaf = try c.decodeIfPresent(Hash.self, forKey: .leaf)
        paras = try Self.byPara(Want.self, in: c, forKey: .paras)
        guard (candidates == nil) != (leaf == nil) else {
            throw DecodingError.dataCorruptedError(
                forKey: .candidates, in: c, debugDescription: "give either candidates or leaf (with paras), not both")
        }
        if leaf != nil, paras == nil {
            throw DecodingError.keyNotFound(
                CodingKeys.paras, .init(codingPath: c.codingPath, debugDescription: "leaf needs paras"))
        }
        for (para, want) in paras ?? [:] where want.count < 0 {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: c.codingPath + [CodingKeys.paras, AnyCodingKey(String(para.rawValue))],
                    debugDescription: "count must not be negative"))
        }
    }

    /// An object keyed by para id (`{"1000": …}`).
    private static func byPara<V: Decodable>(
        _ type: V.Type, in c: KeyedDecodingContainer<CodingKeys>, forKey key: CodingKeys
    ) throws -> [ParaId: V]? {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        let byKey = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key)
        var values: [ParaId: V] = [:]
        for k in byKey.allKeys {
            guard let id = UInt32(jsonKey: k.stringValue) else {
                throw DecodingError.dataCorruptedError(
                    forKey: k, in: byKey, debugDescription: "expected a para id (u32) as the key")
            }
            values[ParaId(id)] = try byKey.decode(V.self, forKey: k)
        }
        return values
    }
}

/// `POST /v1/can-second`.
struct CanSecondRequest: Decodable {
    let paraId: ParaId
    let relayParent: Hash
    let candidateHash: CandidateHash
    let parentHeadDataHash: Hash
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
