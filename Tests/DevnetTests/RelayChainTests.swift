import Primitives
import Testing

@testable import Devnet

/// The simulated runtime: groups partition the validators and rotate as `group_for_core` says.
@Suite struct RelayChainTests {
    @Test func groupsPartitionTheValidatorsFirstGroupsTakingTheRemainder() {
        #expect(RelayChain.partition(6, into: 2) == [[0, 1, 2], [3, 4, 5]])
        #expect(RelayChain.partition(7, into: 3) == [[0, 1, 2], [3, 4], [5, 6]])
        #expect(RelayChain.partition(2, into: 2) == [[0], [1]])
    }

    @Test func groupsRotateAcrossTheCoresEveryFrequencyBlocks() throws {
        let keys = (0..<6).map { ValidatorId(unchecked: [UInt8](repeating: UInt8($0), count: 32)) }
        let chain = RelayChain(validators: keys, paraIds: [100, 101], rotationFrequency: 3)
        // `now` is the child of the relay parent and the session starts at block 1: rotations at now = 4, 7, …
        #expect(chain.group(forCore: 0, at: 1) == [0, 1, 2])
        #expect(chain.group(forCore: 0, at: 2) == [0, 1, 2])
        #expect(chain.group(forCore: 0, at: 3) == [3, 4, 5])
        #expect(chain.group(forCore: 1, at: 3) == [0, 1, 2])
        #expect(chain.group(forCore: 0, at: 6) == [0, 1, 2])
    }

    @Test func theDevKeysFollowTheSubstrateOrderThenANumberedScheme() {
        #expect(
            (0..<8).map(DevnetConfiguration.validatorSeed) == [
                "//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie", "//Validator7", "//Validator8",
            ])
    }
}
