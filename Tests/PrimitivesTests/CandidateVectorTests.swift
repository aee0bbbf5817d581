import Foundation
import Primitives
import TestSupport
import Testing

/// Candidates encoded and hashed by py-scale-codec / substrate-interface (`candidates.json`).
struct CandidateVectorTests {
    struct Vector: Decodable {
        let committedCandidateReceipt: CommittedCandidateReceipt
        let candidateReceipt: CandidateReceipt
        let commitmentsEncoded: String
        let commitmentsHash: String
        let receiptEncoded: String
        let committedReceiptEncoded: String
        let candidateHash: String
    }

    static let vectors: [Vector] = (try? Fixture.load([Vector].self, from: "candidates.json")) ?? []

    @Test func fixtureLoads() { #expect(Self.vectors.count == 3) }

    @Test(arguments: vectors.indices)
    func encodingsAndHashesMatchTheOracle(index: Int) throws {
        let v = Self.vectors[index]
        let ccr = v.committedCandidateReceipt
        #expect(Hex.encode(ccr.commitments.scaleEncoded) == v.commitmentsEncoded)
        #expect(ccr.commitments.hash.hex == v.commitmentsHash)
        #expect(Hex.encode(v.candidateReceipt.scaleEncoded) == v.receiptEncoded)
        #expect(Hex.encode(ccr.scaleEncoded) == v.committedReceiptEncoded)
        #expect(ccr.hash.hex == v.candidateHash)
        #expect(v.candidateReceipt.hash.hex == v.candidateHash)
        #expect(ccr.plainReceipt == v.candidateReceipt)
        #expect(ccr.corresponds(to: v.candidateReceipt))
    }

    @Test(arguments: vectors.indices)
    func scaleDecodingGivesTheJSONValue(index: Int) throws {
        let v = Self.vectors[index]
        #expect(
            try CommittedCandidateReceipt(scaleEncoded: [UInt8](hex: v.committedReceiptEncoded))
                == v.committedCandidateReceipt)
        #expect(try CandidateReceipt(scaleEncoded: [UInt8](hex: v.receiptEncoded)) == v.candidateReceipt)
    }

    @Test(arguments: vectors.indices)
    func jsonRoundTripsExactly(index: Int) throws {
        let v = Self.vectors[index]
        let json = try JSONOutput.encode(v.committedCandidateReceipt)
        #expect(try JSONInput.decode(CommittedCandidateReceipt.self, from: json) == v.committedCandidateReceipt)
    }

    struct RealWorld: Decodable {
        let network: String
        let block: Int
        let paraId: UInt32
        let receiptScale: String
        let candidateHash: String
    }

    /// 41 real receipts from Westend, Kusama and Polkadot whose hashes the chain itself stored.
    @Test func realOnChainReceiptsHashAsTheChainDid() throws {
        let vectors = try Fixture.load([RealWorld].self, from: "real-world-candidate-hashes.json")
        #expect(vectors.count == 41)
        for v in vectors {
            let receipt = try CandidateReceipt(scaleEncoded: [UInt8](hex: v.receiptScale))
            #expect(receipt.descriptor.paraId.rawValue == v.paraId)
            #expect(receipt.hash.hex == v.candidateHash, "\(v.network) #\(v.block) para \(v.paraId)")
            #expect(Hex.encode(receipt.scaleEncoded) == v.receiptScale)
        }
    }
}
