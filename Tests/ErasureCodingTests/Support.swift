import Foundation
import Primitives
import TestSupport

@testable import ErasureCoding

/// `shared/vectors/erasure-coding.json`, copied to the fixtures as `erasure-coding.json`.
struct KnownAnswers: Decodable {
    struct Vector: Decodable {
        struct Data: Decodable {
            let blockData: String
            let parentHead: String
            let relayParentNumber: UInt32
            let relayParentStorageRoot: String
            let maxPovSize: UInt32
        }
        struct Parameters: Decodable {
            let k: Int
            let nPow2: Int
        }
        let name: String
        let nValidators: Int
        let availableData: Data?
        let payload: String?
        let encoded: String?
        let codeParams: Parameters
        let shardLen: Int
        let chunks: [String]
        let chunkHashesConcatBlake2: String
        let erasureRoot: String
    }
    let vectors: [Vector]

    static func load() throws -> KnownAnswers { try Fixture.load(KnownAnswers.self, from: "erasure-coding.json") }
}

extension KnownAnswers.Vector.Data {
    var availableData: AvailableData {
        AvailableData(
            pov: PoV([UInt8](hex: blockData)),
            validationData: PersistedValidationData(
                parentHead: HeadData(bytes: [UInt8](hex: parentHead)), relayParentNumber: relayParentNumber,
                relayParentStorageRoot: H256(unchecked: [UInt8](hex: relayParentStorageRoot)), maxPovSize: maxPovSize))
    }
}

/// `erasure-coding-reference.json`: the roots quoted in the research notes (see PROVENANCE.md).
struct ReferenceRoots: Decodable {
    struct Gossamer: Decodable {
        struct Vector: Decodable {
            let nValidators: Int
            let blockData: String
            let erasureRoot: String
        }
        let vectors: [Vector]
    }
    struct Validation: Decodable {
        let parentHead: String
        let relayParentNumber: UInt32
        let relayParentStorageRoot: String
        let maxPovSize: UInt32
        var value: PersistedValidationData {
            PersistedValidationData(
                parentHead: HeadData(bytes: [UInt8](hex: parentHead)), relayParentNumber: relayParentNumber,
                relayParentStorageRoot: H256(unchecked: [UInt8](hex: relayParentStorageRoot)), maxPovSize: maxPovSize)
        }
    }
    struct FixtureCandidates: Decodable {
        struct Vector: Decodable {
            let name: String
            let pov: String
            let erasureRoot: String
        }
        let validationData: Validation
        let vectors: [Vector]
    }
    struct A123: Decodable {
        let encoded: String
        let chunksN6: [String]
        let rootNodeN6: String
        let leafNode0N6: String
        let rootsByValidators: [String: String]
    }
    struct Root: Decodable {
        let erasureRoot: String
        let chunkLength: Int?
        let payloadLength: Int?
    }
    let gossamer: Gossamer
    let fixtureCandidates: FixtureCandidates
    let a123: A123
    let range1024N10: Root
    let xorshift64KiBN300: Root

    static func load() throws -> ReferenceRoots {
        try Fixture.load(ReferenceRoots.self, from: "erasure-coding-reference.json")
    }
}

/// A payload-like random `AvailableData` of `size` block-data bytes.
func randomAvailableData(blockDataSize size: Int, using generator: inout SeededGenerator) -> AvailableData {
    AvailableData(
        pov: PoV(generator.bytes(size)),
        validationData: PersistedValidationData(
            parentHead: HeadData(bytes: generator.bytes(Int.random(in: 0...40, using: &generator))),
            relayParentNumber: UInt32.random(in: 0...UInt32.max, using: &generator),
            relayParentStorageRoot: H256(unchecked: generator.bytes(32)),
            maxPovSize: 5 * 1024 * 1024))
}

/// The hex of `bytes` with `0x`.
func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }
