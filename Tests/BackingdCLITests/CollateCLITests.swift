import Crypto
import Foundation
import Primitives
import Testing
import Validation

/// `backingd collate`, run as a harness would: its output must be a candidate a validator accepts.
struct CollateCLITests {
    struct Output: Decodable {
        let relayParent: H256
        let candidate: CandidateReceipt
        let pov: PoV
        let commitments: CandidateCommitments
        let persistedValidationData: PersistedValidationData
        let candidateHash: H256
    }

    @Test func collatePrintsASignedCandidateWhoseHashesAgree() async throws {
        let relayParent = "0x" + String(repeating: "ab", count: 32)
        let result = try await BackingdCLITests.run([
            "collate", "--para", "100", "--add", "7", "--collator", "//Two", "--relay-parent", relayParent,
            "--relay-parent-number", "12", "--validators", "4",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONInput.decode(Output.self, from: Data(result.stdout.utf8))
        let descriptor = output.candidate.descriptor
        #expect(output.relayParent.hex == relayParent)
        #expect(descriptor.isCollatorSignatureValid)
        #expect(descriptor.collator == (try Sr25519Keypair(suri: "//Two")).publicKey)
        #expect(descriptor.povHash == output.pov.hash)
        #expect(descriptor.persistedValidationDataHash == output.persistedValidationData.hash)
        #expect(descriptor.paraHead == output.commitments.headData.hash)
        #expect(descriptor.validationCodeHash == AdderParachain.validationCodeHash)
        #expect(output.candidate.commitmentsHash == output.commitments.hash)
        #expect(output.candidateHash == output.candidate.hash)
        let expected = try AdderParachain.execute(
            parentHead: AdderParachain.Head.genesis().headData, block: .init(state: 0, add: 7))
        #expect(output.commitments.headData == expected.headData)
    }

    @Test func collateRefusesAStateThatIsNotTheParents() async throws {
        let result = try await BackingdCLITests.run(["collate", "--add", "1", "--state", "5"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("post_state"))
    }
}
