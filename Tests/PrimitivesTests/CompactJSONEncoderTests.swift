import CompactJSON
import Foundation
import Primitives
import Testing

/// The compact encoder writes exactly Foundation's bytes (sorted keys, slashes unescaped) for the
/// shapes the wire types and API answers use, and hands the rest back to Foundation.
struct CompactJSONEncoderTests {
    /// Every container kind, nil and absent optionals, awkward keys and strings.
    struct Awkward: Encodable {
        let text: String
        let keyed: [String: Int]
        let list: [Int?]
        let nothing: String?
        let absent: String?
        let flags: [Bool]
        let wide: (Int64, UInt64, Int8, UInt16)

        enum Keys: String, CodingKey { case text, keyed, list, nothing, absent, flags, zWide = "Z", nested, super_ }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(text, forKey: .text)
            try container.encode(keyed, forKey: .keyed)
            try container.encode(list, forKey: .list)
            try container.encode(nothing, forKey: .nothing)
            try container.encodeIfPresent(absent, forKey: .absent)
            try container.encode(flags, forKey: .flags)
            var wideList = container.nestedUnkeyedContainer(forKey: .zWide)
            try wideList.encode(wide.0)
            try wideList.encode(wide.1)
            try wideList.encode(wide.2)
            try wideList.encode(wide.3)
            var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .nested)
            try nested.encodeNil(forKey: .text)
            try nested.encode("late", forKey: .list)
            let superEncoder = container.superEncoder(forKey: .super_)
            var single = superEncoder.singleValueContainer()
            try single.encode("from super")
        }
    }

    @Test func writesFoundationsBytesForEveryContainerKindAndEscape() throws {
        let controls = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let value = Awkward(
            text: "a/b \"quoted\" back\\slash \(controls) \u{7F} é \u{2028} 🦀",
            keyed: ["b": 2, "B": 1, "a10": 3, "a2": 4, "": 0],
            list: [1, nil, -3], nothing: nil, absent: nil, flags: [true, false],
            wide: (Int64.min, UInt64.max, -8, 65535))
        let compact = try CompactJSONEncoder().encode(value)
        #expect(compact == [UInt8](try JSONOutput.foundationEncode(value)))
        #expect(String(decoding: compact, as: UTF8.self).contains(#""keyed":{"":0,"B":1,"a10":3,"a2":4,"b":2}"#))
    }

    @Test func emptyValuesEncodeOrFailAsFoundationDoes() throws {
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }
        #expect(throws: EncodingError.self) { try CompactJSONEncoder().encode(Nothing()) }
        #expect(throws: EncodingError.self) { try JSONOutput.foundationEncode(Nothing()) }
        #expect(
            try CompactJSONEncoder().encode(["x": Nothing()]) == [UInt8](JSONOutput.foundationEncode(["x": Nothing()])))
        #expect(try CompactJSONEncoder().encode([Int]()) == Array("[]".utf8))
        #expect(try CompactJSONEncoder().encode([String: String]()) == Array("{}".utf8))
        #expect(try CompactJSONEncoder().encode("x") == Array(#""x""#.utf8))
    }

    @Test func floatingPointAndFoundationTypesAreLeftToFoundation() throws {
        #expect(throws: CompactJSONEncoder.Unsupported.self) { try CompactJSONEncoder().encode(["x": 1.5]) }
        #expect(throws: CompactJSONEncoder.Unsupported.self) { try CompactJSONEncoder().encode([Data([1, 2])]) }
        #expect(throws: CompactJSONEncoder.Unsupported.self) {
            try CompactJSONEncoder().encode(Date(timeIntervalSince1970: 0))
        }
        // JSONOutput falls back, so its answer is still Foundation's.
        let mixed: [String: [Double]] = ["b": [1.5, 3, 1e20], "a": []]
        #expect(try JSONOutput.encodeBytes(mixed) == [UInt8](JSONOutput.foundationEncode(mixed)))
    }

    @Test func codingPathsSeenByValuesAreFoundations() throws {
        struct Probe: Encodable {
            func encode(to encoder: any Encoder) throws {
                throw EncodingError.invalidValue(0, .init(codingPath: encoder.codingPath, debugDescription: "probe"))
            }
        }
        func path(_ encode: () throws -> Void) -> [String] {
            do {
                try encode()
            } catch EncodingError.invalidValue(_, let context) {
                return context.codingPath.map(\.stringValue)
            } catch {}
            return ["no error"]
        }
        let value = ["outer": [["inner": Probe()]]]
        let compact = path { _ = try CompactJSONEncoder().encode(value) }
        #expect(compact == ["outer", "Index 0", "inner"])
        #expect(compact == path { _ = try JSONOutput.foundationEncode(value) })
    }
}
