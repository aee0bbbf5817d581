internal import Foundation

/// Encodes `Encodable` values as compact JSON with sorted keys, byte for byte what Foundation's
/// `JSONEncoder` writes with `[.sortedKeys, .withoutEscapingSlashes]`, in a fraction of the time.
///
/// Why it exists: every web-hook body and API answer goes through JSON encoding on the request path,
/// and Foundation's encoder costs ~30 µs for a 1.3 KB statement message — more than the rest of an
/// import. This encoder builds a small tree of reference-typed containers (so that nested containers
/// can be filled after they are handed out, as `Encoder` requires) and writes it once.
///
/// It covers what the wire types use: strings, integers, booleans, nil, keyed, unkeyed and nested
/// containers. Values Foundation special-cases (floating point, `Data`, `Date`, `URL`, `Decimal`)
/// throw ``CompactJSONEncoder/Unsupported``; ``sortedKeysJSON(_:)`` then falls back to Foundation, so output
/// never differs.
public struct CompactJSONEncoder {
    /// A value this encoder does not write itself; the caller should use Foundation's encoder.
    public struct Unsupported: Error, CustomStringConvertible {
        public let type: String
        public var description: String { "CompactJSONEncoder does not encode \(type)" }
    }

    public init() {}

    /// The compact, key-sorted JSON of `value`.
    /// - Throws: ``Unsupported`` for values outside the subset above, or what `value.encode(to:)` throws.
    public func encode(_ value: some Encodable) throws -> [UInt8] {
        let root = try JSONTreeEncoder.node(for: value, path: nil, topLevel: true)
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        root.write(into: &output)
        return output
    }

    /// The same bytes for any value: its own ``JSONWritable`` writer if it has one, else this encoder's
    /// where it covers the value, Foundation's
    /// `JSONEncoder` (`[.sortedKeys, .withoutEscapingSlashes]`) where it throws ``Unsupported``.
    /// - Throws: what encoding `value` throws.
    public static func sortedKeysJSON(_ value: some Encodable) throws -> [UInt8] {
        if let writable = value as? any JSONWritable {
            var writer = JSONWriter()
            try writable.writeJSON(to: &writer)
            return writer.bytes
        }
        do {
            return try CompactJSONEncoder().encode(value)
        } catch is Unsupported {
            // Foundation writes floating point, dates and data its own way.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return [UInt8](try encoder.encode(value))
        }
    }
}

// MARK: - Tree

/// A JSON value under construction. Objects and arrays are classes so that containers handed out by
/// the `Encoder` API keep writing into the same storage.
enum JSONNode {
    /// Already-rendered JSON (numbers, `true`, `false`, `null`).
    case literal(String)
    case string(String)
    case object(JSONObjectBox)
    case array(JSONArrayBox)
    /// What a super encoder handed out for this position writes, once it has written it.
    case deferred(JSONTreeEncoder)

    func write(into output: inout [UInt8]) {
        switch self {
        case .literal(let text): output.append(contentsOf: text.utf8)
        case .string(let text): JSONNode.writeString(text, into: &output)
        case .object(let box): box.write(into: &output)
        case .array(let box): box.write(into: &output)
        case .deferred(let encoder): (encoder.node ?? .object(JSONObjectBox())).write(into: &output)
        }
    }

    /// Lowercase hex digits, for `\u00XX` escapes here and for `JSONWriter.hex(_:)`.
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string as Foundation escapes it: `"` and `\`, the named control escapes, other controls
    /// as `\u00XX`; `/` and all non-ASCII characters as they are.
    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

final class JSONObjectBox {
    var entries: [(key: String, value: JSONNode)] = []

    func set(_ key: String, _ value: JSONNode) { entries.append((key, value)) }

    func write(into output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        // Foundation orders keys by their UTF-8 bytes; a key set twice keeps its last value.
        let sorted = entries.enumerated().sorted { lhs, rhs in
            lhs.element.key == rhs.element.key
                ? lhs.offset < rhs.offset : lhs.element.key.utf8.lexicographicallyPrecedes(rhs.element.key.utf8)
        }
        var first = true
        for (index, entry) in sorted.enumerated() {
            if index + 1 < sorted.count, sorted[index + 1].element.key == entry.element.key { continue }
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            JSONNode.writeString(entry.element.key, into: &output)
            output.append(UInt8(ascii: ":"))
            entry.element.value.write(into: &output)
        }
        output.append(UInt8(ascii: "}"))
    }
}

final class JSONArrayBox {
    var items: [JSONNode] = []

    func write(into output: inout [UInt8]) {
        output.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            item.write(into: &output)
        }
        output.append(UInt8(ascii: "]"))
    }
}

// MARK: - Encoder

/// The `Encoder` one value encodes itself into; it records the single node that value produces.
final class JSONTreeEncoder: Encoder {
    let path: JSONPath?
    var codingPath: [any CodingKey] { JSONPath.keys(path) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var node: JSONNode?

    init(path: JSONPath?) { self.path = path }

    /// The node `value` encodes to; a nested value that encodes nothing is `{}`, as with Foundation.
    /// At the top level, a value that encodes nothing is an error, as with Foundation.
    static func node(for value: some Encodable, path: JSONPath?, topLevel: Bool = false) throws
        -> JSONNode
    {
        if let node = try primitiveNode(value) { return node }
        let encoder = JSONTreeEncoder(path: path)
        try value.encode(to: encoder)
        if let node = encoder.node { return node }
        if topLevel {
            throw EncodingError.invalidValue(
                value,
                .init(codingPath: [], debugDescription: "Top-level \(type(of: value)) did not encode any values."))
        }
        return .object(JSONObjectBox())
    }

    /// Strings and integers directly, without a nested encoder; the types Foundation treats specially
    /// are refused. Metatype comparisons, not `as?` casts: a failed dynamic cast costs a runtime call
    /// per candidate type, and this runs for every value in the tree.
    private static func primitiveNode<T: Encodable>(_ value: T) throws -> JSONNode? {
        let type = T.self
        if type == String.self { return .string(value as! String) }
        if type == Int.self { return integerLiteral(value as! Int) }
        if type == UInt32.self { return integerLiteral(value as! UInt32) }
        if type == UInt64.self { return integerLiteral(value as! UInt64) }
        if type == Bool.self { return .literal((value as! Bool) ? "true" : "false") }
        if type == Double.self || type == Float.self || type == Data.self || type == Date.self || type == URL.self
            || type == Decimal.self
        {
            throw CompactJSONEncoder.Unsupported(type: "\(type)")
        }
        return nil
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: JSONObjectBox
        if case .object(let existing) = node {
            box = existing
        } else {
            box = JSONObjectBox()
            node = .object(box)
        }
        return KeyedEncodingContainer(JSONKeyedContainer<Key>(box: box, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: JSONArrayBox
        if case .array(let existing) = node {
            box = existing
        } else {
            box = JSONArrayBox()
            node = .array(box)
        }
        return JSONUnkeyedContainer(box: box, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueContainer(encoder: self)
    }
}

/// Renders integers of any width.
private func integerLiteral(_ value: some BinaryInteger) -> JSONNode { .literal(String(value)) }

private struct JSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: JSONObjectBox
    let path: JSONPath?
    var codingPath: [any CodingKey] { JSONPath.keys(path) }

    mutating func encodeNil(forKey key: Key) throws { box.set(key.stringValue, .literal("null")) }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        box.set(key.stringValue, .literal(value ? "true" : "false"))
    }
    mutating func encode(_ value: String, forKey key: Key) throws { box.set(key.stringValue, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        throw CompactJSONEncoder.Unsupported(type: "Double")
    }
    mutating func encode(_ value: Float, forKey key: Key) throws { throw CompactJSONEncoder.Unsupported(type: "Float") }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.set(key.stringValue, integerLiteral(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { box.set(key.stringValue, integerLiteral(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { box.set(key.stringValue, integerLiteral(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { box.set(key.stringValue, integerLiteral(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.set(key.stringValue, integerLiteral(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { box.set(key.stringValue, integerLiteral(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { box.set(key.stringValue, integerLiteral(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { box.set(key.stringValue, integerLiteral(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { box.set(key.stringValue, integerLiteral(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { box.set(key.stringValue, integerLiteral(value)) }
    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        box.set(key.stringValue, try JSONTreeEncoder.node(for: value, path: JSONPath(path, key)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONObjectBox()
        box.set(key.stringValue, .object(nested))
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(box: nested, path: JSONPath(path, key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = JSONArrayBox()
        box.set(key.stringValue, .array(nested))
        return JSONUnkeyedContainer(box: nested, path: JSONPath(path, key))
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let encoder = JSONTreeEncoder(path: JSONPath(path, key))
        box.set(key.stringValue, .deferred(encoder))
        return encoder
    }
}

private struct JSONUnkeyedContainer: UnkeyedEncodingContainer {
    let box: JSONArrayBox
    let path: JSONPath?
    var codingPath: [any CodingKey] { JSONPath.keys(path) }
    var count: Int { box.items.count }

    private var itemPath: JSONPath { JSONPath(path, IndexKey(index: box.items.count)) }

    mutating func encodeNil() throws { box.items.append(.literal("null")) }
    mutating func encode(_ value: Bool) throws { box.items.append(.literal(value ? "true" : "false")) }
    mutating func encode(_ value: String) throws { box.items.append(.string(value)) }
    mutating func encode(_ value: Double) throws { throw CompactJSONEncoder.Unsupported(type: "Double") }
    mutating func encode(_ value: Float) throws { throw CompactJSONEncoder.Unsupported(type: "Float") }
    mutating func encode(_ value: Int) throws { box.items.append(integerLiteral(value)) }
    mutating func encode(_ value: Int8) throws { box.items.append(integerLiteral(value)) }
    mutating func encode(_ value: Int16) throws { box.items.append(integerLiteral(value)) }
    mutating func encode(_ value: Int32) throws { box.items.append(integerLiteral(value)) }
    mutating func encode(_ value: Int64) throws { box.items.append(integerLiteral(value)) }
    mutating func encode(_ value: UInt) throws { box.items.append(integerLiteral(value)) }
    mutating func encode(_ value: UInt8) throws { box.items.append(integerLiteral(value)) }
    mutating func encode(_ value: UInt16) throws { box.items.append(integerLiteral(value)) }
    mutating func encode(_ value: UInt32) throws { box.items.append(integerLiteral(value)) }
    mutating func encode(_ value: UInt64) throws { box.items.append(integerLiteral(value)) }
    mutating func encode(_ value: some Encodable) throws {
        box.items.append(try JSONTreeEncoder.node(for: value, path: itemPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = JSONObjectBox()
        let path = itemPath
        box.items.append(.object(nested))
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(box: nested, path: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = JSONArrayBox()
        let path = itemPath
        box.items.append(.array(nested))
        return JSONUnkeyedContainer(box: nested, path: path)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = JSONTreeEncoder(path: itemPath)
        box.items.append(.deferred(encoder))
        return encoder
    }
}

private struct JSONSingleValueContainer: SingleValueEncodingContainer {
    let encoder: JSONTreeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    func encodeNil() throws { encoder.node = .literal("null") }
    func encode(_ value: Bool) throws { encoder.node = .literal(value ? "true" : "false") }
    func encode(_ value: String) throws { encoder.node = .string(value) }
    func encode(_ value: Double) throws { throw CompactJSONEncoder.Unsupported(type: "Double") }
    func encode(_ value: Float) throws { throw CompactJSONEncoder.Unsupported(type: "Float") }
    func encode(_ value: Int) throws { encoder.node = integerLiteral(value) }
    func encode(_ value: Int8) throws { encoder.node = integerLiteral(value) }
    func encode(_ value: Int16) throws { encoder.node = integerLiteral(value) }
    func encode(_ value: Int32) throws { encoder.node = integerLiteral(value) }
    func encode(_ value: Int64) throws { encoder.node = integerLiteral(value) }
    func encode(_ value: UInt) throws { encoder.node = integerLiteral(value) }
    func encode(_ value: UInt8) throws { encoder.node = integerLiteral(value) }
    func encode(_ value: UInt16) throws { encoder.node = integerLiteral(value) }
    func encode(_ value: UInt32) throws { encoder.node = integerLiteral(value) }
    func encode(_ value: UInt64) throws { encoder.node = integerLiteral(value) }
    func encode(_ value: some Encodable) throws {
        encoder.node = try JSONTreeEncoder.node(for: value, path: encoder.path)
    }
}

/// A coding path as a linked list, so that descending one level costs one small allocation instead
/// of copying an array of existentials; the array is built only if someone asks for it.
final class JSONPath {
    let parent: JSONPath?
    let key: any CodingKey

    init(_ parent: JSONPath?, _ key: any CodingKey) {
        self.parent = parent
        self.key = key
    }

    static func keys(_ path: JSONPath?) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var current = path
        while let node = current {
            keys.append(node.key)
            current = node.parent
        }
        return keys.reversed()
    }
}

/// An array position as a coding key (for coding paths only).
private struct IndexKey: CodingKey {
    let index: Int
    init(index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { index = intValue }
    var stringValue: String { "Index \(index)" }
    var intValue: Int? { index }
}
