/// An ordered list of HTTP header fields with case-insensitive lookup by name.
///
/// `headers["content-type"]` finds `Content-Type`; setting a value replaces every field of that name.
public struct HTTPHeaders: Sendable, Equatable, ExpressibleByDictionaryLiteral, Sequence {
    /// The fields in the order they were added, names as spelled when added.
    public private(set) var fields: [(name: String, value: String)] = []

    /// Creates an empty header list.
    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name: name, value: value) }
    }

    /// The value of the last field called `name` (any case), or `nil`; setting replaces every such field,
    /// and setting `nil` removes them.
    public subscript(name: String) -> String? {
        get { fields.last { Self.nameMatches($0.name, name) }?.value }
        set {
            fields.removeAll { Self.nameMatches($0.name, name) }
            if let newValue { fields.append((name, newValue)) }
        }
    }

    /// Appends a field, keeping any existing field of the same name.
    public mutating func add(name: String, value: String) { fields.append((name, value)) }

    /// Whether a field called `name` (any case) is present.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { nameMatches($0.name, $1.name) && $0.value == $1.value }
    }

    /// Whether two field names are equal ignoring case, as `lhs.lowercased() == rhs.lowercased()` says.
    ///
    /// Every lookup runs this against each field, so ASCII names (all real ones: names are tokens) are compared
    /// byte by byte without building lowercased copies; anything else takes the full Unicode path, where e.g.
    /// the Kelvin sign lowercases to an ASCII `k`.
    static func nameMatches(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs
        var rhs = rhs
        let asciiMatch = lhs.withUTF8 { lhs in
            rhs.withUTF8 { rhs -> Bool? in
                guard isASCII(lhs), isASCII(rhs) else { return nil }
                guard lhs.count == rhs.count else { return false }
                for index in lhs.indices where lhs[index] != rhs[index] {
                    guard asciiLowercased(lhs[index]) == asciiLowercased(rhs[index]) else { return false }
                }
                return true
            }
        }
        return asciiMatch ?? (lhs.lowercased() == rhs.lowercased())
    }

    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { bytes.allSatisfy { $0 < 0x80 } }

    static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
