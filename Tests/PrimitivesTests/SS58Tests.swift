import Primitives
import TestSupport
import Testing

struct SS58Tests {
    struct KeyFile: Decodable {
        struct URI: Decodable {
            let uri: String
            let publicKey: String
            let ss58Polkadot: String
            let ss58Generic: String
        }
        let uris: [URI]
    }

    @Test func devAccountsEncodeAsSubstrateInterfaceDoes() throws {
        let uris = try Fixture.load(KeyFile.self, from: "keys.json").uris
        #expect(uris.count >= 6)
        for key in uris {
            let bytes = [UInt8](hex: key.publicKey)
            #expect(SS58.encode(bytes, prefix: SS58.genericPrefix) == key.ss58Generic)
            #expect(SS58.encode(bytes, prefix: SS58.polkadotPrefix) == key.ss58Polkadot)
            #expect(try SS58.decode(key.ss58Generic) == SS58.Address(prefix: 42, accountId: bytes))
            #expect(try SS58.decode(key.ss58Polkadot) == SS58.Address(prefix: 0, accountId: bytes))
        }
    }

    @Test func twoBytePrefixesRoundTrip() throws {
        let key = [UInt8](repeating: 7, count: 32)
        for prefix: UInt16 in [64, 69, 255, 1284, 16383] {
            #expect(try SS58.decode(SS58.encode(key, prefix: prefix)) == SS58.Address(prefix: prefix, accountId: key))
        }
    }

    @Test func corruptedAddressesAreRejected() {
        #expect(throws: SS58.Error.badChecksum) { try SS58.decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ") }
        #expect(throws: SS58.Error.invalidBase58) {
            try SS58.decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ0")
        }
        #expect(throws: SS58.Error.invalidLength(3)) { try SS58.decode(Base58.encode([42, 1, 2])) }
        #expect(throws: SS58.Error.self) { try SS58.decode("") }
    }

    @Test func base58KeepsLeadingZeros() {
        #expect(Base58.encode([0, 0, 1]) == "112")
        #expect(Base58.decode("112") == [0, 0, 1])
        #expect(Base58.decode("0OIl") == nil)
    }
}
