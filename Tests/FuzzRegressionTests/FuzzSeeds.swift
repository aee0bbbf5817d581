import ErasureCoding
import Foundation
import FuzzTargets
import Primitives
import TestSupport
import Validation

/// Builds the seed corpora from the project's fixtures (real encodings from the reference
/// implementations) and the adder parachain. Deterministic: `theCommittedSeedsAreTheOnesFuzzSeedsBuilds`
/// compares them with `Inputs/`, and `FUZZ_WRITE_SEEDS=1 swift test --filter FuzzRegression` writes them.
enum FuzzSeeds {
    typealias Seeds = [(target: String, files: [(name: String, bytes: [UInt8])])]

    private struct CandidateVector: Decodable {
        let committedCandidateReceipt: CommittedCandidateReceipt
        let receiptEncoded: String
        let committedReceiptEncoded: String
        let commitmentsEncoded: String
    }

    private struct StatementVector: Decodable {
        let signingPayload: String
        let signature: ValidatorSignature
        let parentHash: Hash
        let sessionIndex: UInt32
    }

    private struct BackedVector: Decodable {
        let encoded: String
    }

    private struct StatementFile: Decodable { let statements: [StatementVector] }
    private struct BackedFile: Decodable { let vectors: [BackedVector] }
    private struct KeyFile: Decodable { let uris: [KeyVector] }

    private struct KeyVector: Decodable {
        let uri: String
        let ss58Polkadot: String
        let ss58Generic: String
        let publicKey: String
    }

    static func all() throws -> Seeds {
        let candidates = try Fixture.load([CandidateVector].self, from: "candidates.json")
        let statements = try Fixture.load(StatementFile.self, from: "statements.json").statements
        let backed = try Fixture.load(BackedFile.self, from: "modern/backed-candidates.json").vectors
        let keys = try Fixture.load(KeyFile.self, from: "keys.json").uris
        let ccr = candidates[0].committedCandidateReceipt
        let signed = SignedFullStatement(
            payload: .seconded(ccr), validatorIndex: 2, signature: statements[0].signature)
        let valid = SignedFullStatement(
            payload: .valid(ccr.hash), validatorIndex: 0, signature: statements[1].signature)
        let pvd = PersistedValidationData(
            parentHead: AdderParachain.Head.genesis().headData, relayParentNumber: 1,
            relayParentStorageRoot: .zero, maxPovSize: 5 << 20)
        let pov = PoV(AdderParachain.Block(state: 0, add: 7).blockData.bytes)

        func scale(_ type: String, _ bytes: [UInt8]) throws -> [UInt8] {
            guard let index = ScaleRoundTrip.typeIndex(type) else { throw FixtureError.missing(type) }
            return [index] + bytes
        }
        let scaleSeeds: [(String, [UInt8])] = [
            ("seed-candidate-receipt", try scale("CandidateReceipt", [UInt8](hex: candidates[0].receiptEncoded))),
            (
                "seed-committed-candidate-receipt",
                try scale("CommittedCandidateReceipt", [UInt8](hex: candidates[1].committedReceiptEncoded))
            ),
            (
                "seed-candidate-commitments",
                try scale("CandidateCommitments", [UInt8](hex: candidates[2].commitmentsEncoded))
            ),
            ("seed-candidate-descriptor", try scale("CandidateDescriptor", ccr.descriptor.scaleEncoded)),
            ("seed-candidate-descriptor-v2", try scale("CandidateDescriptorV2", ccr.descriptor.scaleEncoded)),
            ("seed-signed-full-statement", try scale("UncheckedSigned<Statement>", signed.scaleEncoded)),
            ("seed-signed-valid-statement", try scale("UncheckedSigned<Statement>", valid.scaleEncoded)),
            (
                "seed-compact-statement",
                try scale("CompactStatement", Array([UInt8](hex: statements[0].signingPayload).prefix(37)))
            ),
            (
                "seed-signing-context",
                try scale(
                    "SigningContext",
                    SigningContext(sessionIndex: statements[0].sessionIndex, parentHash: statements[0].parentHash)
                        .scaleEncoded)
            ),
            ("seed-backed-candidate", try scale("BackedCandidate", [UInt8](hex: backed[0].encoded))),
            (
                "seed-available-data",
                try scale("AvailableData", AvailableData(pov: pov, validationData: pvd).scaleEncoded)
            ),
            ("seed-persisted-validation-data", try scale("PersistedValidationData", pvd.scaleEncoded)),
            ("seed-validation-params", try scale("ValidationParams", PVFExecutionSeeds.params.scaleEncoded)),
            (
                "seed-group-rotation-info",
                try scale(
                    "GroupRotationInfo",
                    GroupRotationInfo(sessionStartBlock: 10, groupRotationFrequency: 4, now: 17).scaleEncoded)
            ),
            (
                "seed-bitvec",
                try scale("BitVec", BitVec([true, false, true, true, false, false, true, false, true]).scaleEncoded)
            ),
        ]

        let jsonSeeds: [(String, [UInt8])] = [
            ("seed-signed-full-statement.json", try JSONOutput.encodeBytes(signed)),
            ("seed-signed-valid-statement.json", try JSONOutput.encodeBytes(valid, pretty: true)),
            ("seed-committed-candidate-receipt.json", try JSONOutput.encodeBytes(ccr)),
            ("seed-candidate-descriptor.json", try JSONOutput.encodeBytes(ccr.descriptor)),
            ("seed-candidate-commitments.json", try JSONOutput.encodeBytes(ccr.commitments)),
        ]

        let relayParent = Hex.encode(ccr.descriptor.relayParent.bytes)
        let signedJSON = String(decoding: try JSONOutput.encodeBytes(signed), as: UTF8.self)
        let validJSON = String(decoding: try JSONOutput.encodeBytes(valid), as: UTF8.self)
        let requestSeeds: [(String, [UInt8])] = [
            ("seed-statement.json", Array(#"{"relayParent":"\#(relayParent)","statement":\#(signedJSON)}"#.utf8)),
            (
                "seed-statement-batch.json",
                Array(
                    #"{"relayParent":"\#(relayParent)","statements":[\#(signedJSON),\#(validJSON),{"payload":{"valid":"0x12"}}]}"#
                        .utf8)
            ),
            (
                "seed-second.json",
                Array(
                    #"{"relayParent":"\#(relayParent)","candidate":\#(String(decoding: try JSONOutput.encodeBytes(ccr.plainReceipt), as: UTF8.self)),"pov":\#(String(decoding: try JSONOutput.encodeBytes(pov), as: UTF8.self))}"#
                        .utf8)
            ),
            (
                "seed-backed-candidates.json",
                Array(#"{"relayParent":"\#(relayParent)","candidateHashes":["\#(Hex.encode(ccr.hash.bytes))"]}"#.utf8)
            ),
            ("seed-validation-code.json", Array(#"{"code":"0x0061736d01000000"}"#.utf8)),
            (
                "seed-candidate-hash.json",
                Array(#"{"candidate":\#(String(decoding: try JSONOutput.encodeBytes(ccr), as: UTF8.self))}"#.utf8)
            ),
            (
                "seed-erasure-root.json",
                Array(
                    #"{"nValidators":6,"availableData":\#(String(decoding: try JSONOutput.encodeBytes(AvailableData(pov: pov, validationData: pvd)), as: UTF8.self))}"#
                        .utf8)
            ),
        ]

        let textSeeds: [(String, [UInt8])] =
            keys.prefix(2).flatMap { key in
                [
                    ("seed-ss58-polkadot-\(key.uri.dropFirst(2))", Array(key.ss58Polkadot.utf8)),
                    ("seed-ss58-generic-\(key.uri.dropFirst(2))", Array(key.ss58Generic.utf8)),
                    ("seed-hex-\(key.uri.dropFirst(2))", Array(key.publicKey.utf8)),
                ]
            } + [
                ("seed-suri-dev", Array("//Alice/stash".utf8)),
                (
                    "seed-suri-phrase",
                    Array(
                        "bottom drive obey lake curtain smoke basket hold race lonely fit walk//polkadot/0///secret"
                            .utf8)
                ),
            ]

        // Honest: [mode 0, validators, extra, 8 order bytes, head length, head…, PoV…]; hostile: mode 1.
        let erasureSeeds: [(String, [UInt8])] = [
            ("seed-honest-6", [0, 6, 0, 1, 2, 3, 4, 5, 6, 7, 8, 3, 0xAA, 0xBB, 0xCC] + pov.blockData.bytes),
            ("seed-honest-60-repeats", [0, 58, 3, 9, 7, 5, 3, 1, 2, 4, 6, 0] + Array(0..<200)),
            ("seed-hostile", [1, 10, 4, 0, 3, 4, 1, 2, 3, 4, 0, 5, 4, 1, 2, 3, 4, 0, 0, 4, 9, 9, 9, 9]),
        ]

        let chunkProofSeeds: [(String, [UInt8])] = try ChunkProofSeeds.make(
            payload: AvailableData(pov: pov, validationData: pvd))

        // [multiple seconded, 3 membership bytes, 3 quorums] then (control, group, body, signature) per statement.
        let tableSeeds: [(String, [UInt8])] = [
            (
                "seed-backed-and-double-vote",
                [0, 0b0000_0111, 0b0011_1000, 0b1100_0000, 1, 1, 0, 0, 1, 0, 0, 8, 1, 0, 1, 9, 1, 0, 2, 0, 1, 0, 3]
            ),
            ("seed-multiple-candidates", [0, 0xFF, 0x0F, 0xF0, 3, 1, 1, 0, 0, 0, 1, 0, 0, 1, 2, 8, 0, 1, 1]),
            (
                "seed-multiple-seconded-allowed",
                [1, 0xFF, 0x0F, 0xF0, 2, 2, 2, 0, 0, 0, 1, 0, 0, 1, 2, 1, 0, 0, 3, 9, 0, 1, 3]
            ),
        ]

        let pvfSeeds: [(String, [UInt8])] = [
            ("seed-adder", AdderParachain.validationCode.bytes),
            ("seed-empty-module", [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]),
            ("seed-not-wasm", Array("validate_block".utf8)),
        ]

        return [
            ("scale", scaleSeeds), ("strict-json", jsonSeeds), ("request-bodies", requestSeeds),
            ("text-encodings", textSeeds), ("erasure", erasureSeeds), ("chunk-proof", chunkProofSeeds),
            ("statement-table", tableSeeds), ("pvf", pvfSeeds),
        ].map { (target: $0.0, files: $0.1.map { (name: $0.0, bytes: $0.1) }) }
    }

    /// Writes `seeds` into this folder's `Inputs/` (the source tree, not the test bundle).
    static func write(_ seeds: Seeds, sourceFile: String = #filePath) throws {
        let inputs = URL(fileURLWithPath: sourceFile).deletingLastPathComponent().appendingPathComponent("Inputs")
        for (target, files) in seeds {
            let folder = inputs.appendingPathComponent(target)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, bytes) in files { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
        }
    }
}

/// The PVF parameters of the seeds: the adder's first block.
enum PVFExecutionSeeds {
    static let params = ValidationParams(
        parentHead: AdderParachain.Head.genesis().headData,
        blockData: AdderParachain.Block(state: 0, add: 7).blockData, relayParentNumber: 1,
        relayParentStorageRoot: .zero)
}

/// Trie nodes and chunk proofs of a real encoding, in the `chunk-proof` target's two input forms.
enum ChunkProofSeeds {
    static func make(payload: AvailableData) throws -> [(String, [UInt8])] {
        let chunks = try ErasureCoding.obtainChunks(nValidators: 6, availableData: payload)
        let tree = ChunkTree(chunks: chunks)
        let proof = try tree.proof(forChunk: 4)
        var seeds: [(String, [UInt8])] = proof.enumerated().map { ("seed-node-\($0.offset)", [0] + $0.element) }
        var framed: [UInt8] = [1, 0, 4]
        for node in proof { framed += [UInt8(node.count >> 8), UInt8(node.count & 0xFF)] + node }
        seeds.append(("seed-proof-chunk-4", framed))
        return seeds
    }
}
