import Foundation
import Primitives
import TestSupport

/// The parts of `sr25519.json` (the reference oracle's vectors, see sr25519.md §10) the tests use.
struct Sr25519Vectors: Decodable {
    struct MerlinTrace: Decodable {
        let challenge: String
        let trace: [TraceRow]
        let stateAfterDomSep040: String
    }
    struct TraceRow: Decodable {
        let op: String
        let data: String
        let pos: Int
        let posBegin: Int
        let curFlags: Int
        let permutations: Int
    }
    struct Output: Decodable { let output: String }
    struct Keys: Decodable {
        let miniSecret: String
        let sha512Mini: String
        let keyScalarLeAfterDiv8: String
        let nonce: String
        let secretKey64SchnorrkelToBytes: String
        let secretKey64Ed25519Form: String
        let `public`: String
    }
    struct UniformKeys: Decodable {
        let key: String
        let nonce: String
        let `public`: String
    }
    struct FixedSignature: Decodable {
        let context: String
        let message: String
        let secretKey: String
        let `public`: String
        let rLe: String
        let R: String
        let kChallenge64: String
        let kScalarLe: String
        let signature: String
    }
    struct WitnessSignature: Decodable {
        let rLe: String
        let R: String
        let signature: String
    }
    struct EmptyMessageSignature: Decodable {
        let kScalarLe: String
        let signature: String
    }
    struct Dev: Decodable {
        struct Account: Decodable {
            let junctionChainCode: String
            let derivedMiniSecret: String
            let secretKey64: String
            let `public`: String
        }
        let phrase: String
        let wordIndices: [Int]
        let entropy: String
        let pbkdf2Seed64: String
        let rootMiniSecret: String
        let rootPublic: String
        let accounts: [String: Account]
    }
    struct AliceStash: Decodable {
        let chainCodeStash: String
        let mini: String
        let `public`: String
    }
    struct Soft: Decodable {
        let `public`: String
        let nextChainCode: String
    }
    struct VerifyCase: Decodable {
        let name: String
        let signature: String
        let `public`: String
        let message: String
        let expected: Bool
    }

    let aKeccakF1600ZeroState: KeccakZero
    struct KeccakZero: Decodable {
        let lanesHexU64: [String]
        let bytes: String
    }
    let aKeccakF1600TwiceZeroStateLanes04: [String]
    let aSha3256EmptyViaKeccak: String
    let bStrobeStateBeforeFirstF018: String
    let bStrobeInitialStateAfterF: String
    let bMerlinTestProtocol: MerlinTrace
    let bMerlinComplexFinalChallenge: String
    let bMerlinRngZeroRandom: Output
    let ristrettoBaseMultiples03: [String]
    let ellLe: String
    let cKeys: Keys
    let cKeysUniformMode: UniformKeys
    let dSignFixedRTranscriptTrace: [[TraceCell]]
    let dSignFixedR: FixedSignature
    let dSignWitnessZeroRng: WitnessSignature
    let dSignFixedREmptyMessage: EmptyMessageSignature
    let eDev: Dev
    let eAliceStash: AliceStash
    let eJunctionExamples: [String: String]
    let eSoftAliceSlashSoft: Soft
    let verifyCases: [VerifyCase]

    /// A cell of the signing trace table: op name, data hex, then integers.
    enum TraceCell: Decodable {
        case text(String)
        case number(Int)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }
        var text: String? { if case .text(let t) = self { t } else { nil } }
        var number: Int? { if case .number(let n) = self { n } else { nil } }
    }

    static func load() throws -> Sr25519Vectors {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            AnyKey(snakeToCamel(path.last!.stringValue))
        }
        return try decoder.decode(Sr25519Vectors.self, from: Fixture.data("sr25519.json"))
    }

    private static func snakeToCamel(_ key: String) -> String {
        // Keys such as "R" and the junction example names must survive unchanged.
        guard key.contains("_") else { return key }
        let parts = key.split(separator: "_", omittingEmptySubsequences: true)
        return parts.enumerated().map { index, part in
            index == 0 ? String(part) : part.prefix(1).uppercased() + part.dropFirst()
        }.joined()
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// Hex to bytes for fixture strings (with or without `0x`); a malformed fixture is a test bug.
func bytes(_ hex: String) -> [UInt8] {
    guard let decoded = hex.hasPrefix("0x") ? Hex.decode(hex) : Hex.decodeDigits(hex) else {
        fatalError("bad hex in fixture: \(hex)")
    }
    return decoded
}
