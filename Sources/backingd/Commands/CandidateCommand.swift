import ArgumentParser
import Foundation
import Primitives

struct CandidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "candidate", abstract: "Candidate helpers for test harnesses.", subcommands: [Hash.self])

    /// A `CandidateReceipt` or a `CommittedCandidateReceipt`, told apart by `commitments` vs `commitmentsHash`.
    enum AnyReceipt: Decodable {
        case plain(CandidateReceipt)
        case committed(CommittedCandidateReceipt)

        enum Keys: String, CodingKey { case commitments }

        init(from decoder: any Decoder) throws {
            if try decoder.container(keyedBy: Keys.self).contains(.commitments) {
                self = .committed(try CommittedCandidateReceipt(from: decoder))
            } else {
                self = .plain(try CandidateReceipt(from: decoder))
            }
        }
    }

    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print {candidateHash, commitmentsHash, encoded} of a candidate receipt (JSON FILE, - for stdin)."
        )

        @Argument(help: "A CandidateReceipt or CommittedCandidateReceipt as JSON.")
        var file: String

        struct Output: Encodable {
            let candidateHash: H256
            let commitmentsHash: H256
            let encoded: String
        }

        func run() throws {
            let output =
                switch try CommandIO.decode(AnyReceipt.self, from: file) {
                case .plain(let receipt):
                    Output(
                        candidateHash: receipt.hash, commitmentsHash: receipt.commitmentsHash,
                        encoded: Hex.encode(receipt.scaleEncoded))
                case .committed(let receipt):
                    Output(
                        candidateHash: receipt.hash, commitmentsHash: receipt.commitments.hash,
                        encoded: Hex.encode(receipt.scaleEncoded))
                }
            try CommandIO.printJSON(output)
        }
    }
}
