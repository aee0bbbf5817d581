import Primitives
import TestSupport
import Testing

struct Blake2bTests {
    struct Vector: Decodable {
        let input: String
        let hash: String
    }

    @Test func everyBlake2b256VectorMatches() throws {
        let vectors = try Fixture.load([Vector].self, from: "blake2b256.json")
        #expect(vectors.count > 5)
        for vector in vectors {
            #expect(Blake2b.hash256([UInt8](hex: vector.input)).hex == vector.hash)
        }
    }

    @Test func blake2b512OfAbcMatchesRFC7693() {
        #expect(
            Hex.encode(Blake2b.hash(Array("abc".utf8), outputLength: 64), prefix: false)
                == "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
    }
}
