/// A value that writes its own compact, sorted-keys JSON: byte for byte what its `Encodable`
/// conformance gives through Foundation's `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]`.
///
/// Why: the hot messages (batch answers, web-hook bodies) spent 15–20 µs each in the `Encoder`
/// machinery, even in ``CompactJSONEncoder``. A conforming type writes its keys in sorted order itself;
/// every conformance is checked against Foundation by a differential test.
/// ``CompactJSONEncoder/sortedKeysJSON(_:)`` uses it for a top-level value that conforms.
public protocol JSONWritable: Encodable {
    func writeJSON(to writer: inout JSONWriter) throws
}

/// Appends compact JSON to a byte buffer. Object keys are written by the caller, already sorted.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    /// `{`, the fields `body` writes with ``field(_:)``, `}`.
    public mutating func object(_ body: (inout JSONWriter) throws -> Void) rethrows {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        try body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// A key inside ``object(_:)``: the comma before it if needed, the quoted key, `:`. The key must need
    /// no escaping, and the caller writes keys in UTF-8 byte order, as Foundation sorts them.
    public mutating func field(_ key: StaticString) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// `[`, `element` for each item, `]`.
    public mutating func array<Items: Sequence>(
        _ items: Items, _ element: (inout JSONWriter, Items.Element) throws -> Void
    ) rethrows {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for item in items {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            needsComma = false
            try element(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A ``JSONWritable`` value.
    public mutating func value(_ value: some JSONWritable) throws {
        try value.writeJSON(to: &self)
        needsComma = true
    }

    /// Any other `Encodable` value, through ``CompactJSONEncoder/sortedKeysJSON(_:)``.
    public mutating func encodable(_ value: some Encodable) throws {
        bytes.append(contentsOf: try CompactJSONEncoder.sortedKeysJSON(value))
        needsComma = true
    }

    /// `"0x…"`: lowercase hex of `raw`.
    public mutating func hex(_ raw: [UInt8]) { raw.withUnsafeBytes { hex($0) } }

    /// `"0x…"`: lowercase hex of `raw`.
    public mutating func hex(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "0"), UInt8(ascii: "x")])
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: raw.count * 2))
        bytes.withUnsafeMutableBufferPointer { out in
            var at = start
            for byte in raw {
                out[at] = JSONNode.hexDigits[Int(byte >> 4)]
                out[at + 1] = JSONNode.hexDigits[Int(byte & 0x0F)]
                at += 2
            }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A string, escaped as Foundation escapes it.
    public mutating func string(_ text: String) {
        JSONNode.writeString(text, into: &bytes)
        needsComma = true
    }

    /// An integer in decimal.
    public mutating func integer(_ value: some BinaryInteger) {
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    /// `json` as it is: a number or a literal (`true`, `false`) the caller has formatted.
    public mutating func raw(_ json: String) {
        bytes.append(contentsOf: json.utf8)
        needsComma = true
    }

    /// `null`.
    public mutating func null() {
        bytes.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
        needsComma = true
    }
}
