internal import CompactJSON
public import Foundation

/// A JSON input that could not be turned into the expected type, with the path of the offending field.
public struct JSONInputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Dotted path of the field, e.g. `candidate.descriptor.povHash` or `statements[3].signature`;
    /// empty for the document itself.
    public let field: String
    /// What is wrong with it.
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `candidate.descriptor.povHash: expected 32 bytes, got 31`.
    public var description: String { field.isEmpty ? reason : "\(field): \(reason)" }
}

/// Decodes request bodies and files, turning Foundation's errors into ``JSONInputError``s that name
/// the field.
public enum JSONInput {
    /// Decodes `T` from JSON `data`.
    /// - Throws: ``JSONInputError`` for malformed JSON, a missing field, a wrong type or a bad value.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(JSONInputError) -> T {
        try checkNesting(data)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error)
        } catch {
            throw JSONInputError(field: "", reason: "malformed JSON: \(error)")
        }
    }

    /// Decodes `T` from JSON `bytes`: through ``StrictJSONReader`` when `T` has a strict form and the
    /// bytes are in it, through Foundation otherwise (so every error still comes from Foundation).
    /// - Throws: ``JSONInputError`` for malformed JSON, a missing field, a wrong type or a bad value.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(JSONInputError) -> T {
        if let strictType = T.self as? any StrictJSONDecodable.Type,
            let value = StrictJSONReader.read(bytes, { strictType.init(strictJSON: &$0) }) as? T
        {
            return value
        }
        return try decode(T.self, from: Data(bytes))
    }

    /// The deepest nesting of arrays and objects accepted (contract §7.19).
    public static let maximumNesting = 64

    /// Rejects documents nested deeper than ``maximumNesting`` before Foundation parses them, so a
    /// hostile body cannot exhaust the stack, and documents that are not UTF-8 (Foundation would accept
    /// invalid bytes inside a string it then ignores, an unknown field's value for one). A linear scan
    /// that skips string contents for nesting.
    /// - Throws: ``JSONInputError`` naming the nesting limit, or the byte offset of the first invalid
    ///   UTF-8 sequence.
    public static func checkNesting(_ bytes: some ContiguousBytes) throws(JSONInputError) {
        if let error = bytes.withUnsafeBytes(nestingError) { throw error }
    }

    private static func nestingError(_ bytes: UnsafeRawBufferPointer) -> JSONInputError? {
        var depth = 0
        var inString = false
        var escaped = false
        var index = 0
        let count = bytes.count
        while index < count {
            // Inside a string (hex, in most bodies), eight bytes at a time up to one that may end it.
            if inString && !escaped {
                while count - index >= 8,
                    !mayEndString(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
                {
                    index += 8
                }
                guard index < count else { break }
            }
            let byte = bytes[index]
            if byte >= 0x80 {
                guard let length = utf8SequenceLength(bytes, at: index) else {
                    return JSONInputError(field: "", reason: "invalid UTF-8 at byte offset \(index)")
                }
                escaped = false
                index += length
                continue
            }
            index += 1
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumNesting {
                    return JSONInputError(field: "", reason: "nesting deeper than \(maximumNesting) levels")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return nil
    }

    /// Whether any of the eight bytes of `word` is a quote, a backslash or not ASCII: the only bytes a string's
    /// scan must look at one by one (SWAR: a byte of `x` is zero exactly where `(x - 0x01…) & ~x & 0x80…` has it
    /// set, and some byte is zero exactly when that is not 0).
    @inline(__always)
    private static func mayEndString(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        return word & highs != 0 || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
    }

    /// The length of the well-formed UTF-8 sequence of two to four bytes starting at `index` (Unicode
    /// table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or `nil`.
    static func utf8SequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
        let lead = bytes[index]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            second = 0x80...0x9F
        case 0xF0:
            length = 4
            second = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            second = 0x80...0x8F
        default: return nil
        }
        guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { return nil }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return nil }
        return length
    }

    /// Renders a coding path as `a.b[2].c`.
    public static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    /// The field path and reason of a Foundation decoding error.
    /// - Parameter depth: how many leading keys of the error's path to leave out, for an error about a
    ///   value nested that deep whose field should be named relative to it (a batch entry's own fields).
    public static func describe(_ error: DecodingError, relativeToDepth depth: Int = 0) -> JSONInputError {
        let relative = { (codingPath: [any CodingKey]) in path(Array(codingPath.dropFirst(depth))) }
        switch error {
        case .keyNotFound(let key, let context):
            return JSONInputError(field: relative(context.codingPath + [key]), reason: "missing field")
        case .valueNotFound(let type, let context):
            return JSONInputError(field: relative(context.codingPath), reason: "expected \(typeName(type)), got null")
        case .typeMismatch(let type, let context):
            return JSONInputError(field: relative(context.codingPath), reason: "expected \(typeName(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty, let underlying = context.underlyingError {
                return JSONInputError(field: "", reason: "malformed JSON: \(underlying.localizedDescription)")
            }
            return JSONInputError(field: relative(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return JSONInputError(field: "", reason: "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is UInt32.Type, is Int.Type, is UInt64.Type, is UInt8.Type: "an unsigned integer"
        case is Bool.Type: "a boolean"
        default: type == [String: Any].self ? "an object" : "\(type)"
        }
    }
}

/// Encodes values the way the API prints them (sorted keys for stable output).
public enum JSONOutput {
    public static func encode(_ value: some Encodable, pretty: Bool = false) throws -> Data {
        Data(try encodeBytes(value, pretty: pretty))
    }

    /// As ``encode(_:pretty:)``, as bytes. Compact output comes from ``CompactJSONEncoder`` (the same
    /// bytes as Foundation, faster), falling back to Foundation for what it does not cover.
    public static func encodeBytes(_ value: some Encodable, pretty: Bool = false) throws -> [UInt8] {
        pretty ? [UInt8](try foundationEncode(value, pretty: true)) : try CompactJSONEncoder.sortedKeysJSON(value)
    }

    /// Foundation's encoding with the options above (the reference the compact encoder matches).
    public static func foundationEncode(_ value: some Encodable, pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
