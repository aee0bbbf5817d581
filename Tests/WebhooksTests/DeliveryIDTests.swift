import Foundation
import Testing

@testable import Webhooks

struct DeliveryIDTests {
    @Test func idsAreDistinctLowercaseVersion4UUIDs() throws {
        let ids = (0..<10_000).map { _ in DeliveryID.make() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(500) {
            let uuid = try #require(UUID(uuidString: id))
            #expect(uuid.uuidString.lowercased() == id)
            let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 4)
            #expect(bytes[8] >> 6 == 0b10)
        }
    }
}
