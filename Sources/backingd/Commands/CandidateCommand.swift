import ArgumentParser
import ErasureCoding
import Foundation
import Primitives
import Validation

struct CandidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "candidate", abstract: "Candidate helpers for test harnesses.",
        subcommands: [Hash.self, ErasureRoot.self, Example.self])

    struct Example: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Print the adder parachain's first block on `backingd leaf example`'s leaf: {relayParent, candidate, pov, commitments, persistedValidationData, candidateHash, head} (the body of POST /v1/second)."
        )

        @Option(help: "The amount the block adds.") var add: UInt64 = 7

        @Flag(help: "A V2 descriptor on core 0, for `backingd leaf example --v2`.") var v2 = false

        func run() throws {
            do {
                try CommandIO.printJSON(try ExampleLeaf.collation(add: add, v2: v2))
            } catch let error as AdderCollator.CollationError {
                throw ValidationError("\(error)")
            }
        }
    }

    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Print {candidateHash, commitmentsHash, encoded, descriptorVersion, coreIndex?, sessionIndex?, umpSignals?} of a candidate receipt (JSON FILE, - for stdin)."
        )

        @Argument(help: "A CandidateReceipt or CommittedCandidateReceipt as JSON.")
        var file: String

        func run() throws {
            let receipt = try CommandIO.decode(AnyCandidateReceipt.self, from: file)
            do {
                try CommandIO.printJSON(try CandidateHashReport(receipt))
            } catch let error as CommittedCandidateReceiptError {
                throw ValidationError("\(CandidateHashReport.field(of: error)): \(error)")
            }
        }
    }

    struct ErasureRoot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "erasure-root",
            abstract: "Print {erasureRoot, chunkCount, chunkLength} of an AvailableData (JSON FILE, - for stdin).")

        @Option(help: "The number of validators in the session (2...10000).")
        var validators: Int

        @Flag(help: "Also print every chunk as 0x hex (for differential checks).")
        var chunks = false

        @Argument(help: "An AvailableData {pov, validationData} as JSON.")
        var file: String

        struct Output: Encodable {
            let erasureRoot: H256
            let chunkCount: Int
            let chunkLength: Int
            let chunks: [String]?
        }

        func run() throws {
            let availableData = try CommandIO.decode(AvailableData.self, from: file)
            let encoded: [[UInt8]]
            do {
                encoded = try ErasureCoding.obtainChunks(nValidators: validators, availableData: availableData)
            } catch {
                throw ValidationError("\(error)")
            }
            try CommandIO.printJSON(
                Output(
                    erasureRoot: ChunkTree(chunks: encoded).root, chunkCount: encoded.count,
                    chunkLength: encoded.first?.count ?? 0, chunks: chunks ? encoded.map { Hex.encode($0) } : nil))
        }
    }
}
