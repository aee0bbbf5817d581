import Foundation
import Primitives

/// Decodes `POST /v1/statements/batch` bodies with their entries spread over every core.
///
/// Why: Foundation decodes a document on one thread, and a batch entry costs about as much to decode
/// as its signature costs to check in a batch (~12 µs), so decoding 250 entries on one core was the
/// largest serial part of a batch. A structural scan finds where each entry of `statements` begins
/// and ends; the entries are then decoded in one contiguous part per core, each by
/// ``StrictJSONReader`` when it is in the canonical form and by Foundation otherwise.
///
/// Answers never differ from decoding the whole body at once: whatever the scan does not recognise
/// (not an object, a duplicate or escaped key, unbalanced brackets, an entry that is not JSON…) goes
/// to the whole-body decoder, whose errors the API already documents.
enum StatementBatchDecoding {
    static func decode(_ body: [UInt8]) async throws(JSONInputError) -> StatementBatchRequest {
        if let request = await decodeInParallel(body) { return request }
        return try JSONInput.decode(StatementBatchRequest.self, from: Data(body))
    }

    /// The request, or `nil` when the whole-body decoder should answer instead.
    static func decodeInParallel(_ body: [UInt8]) async -> StatementBatchRequest? {
        var scanner = BatchBodyScanner(body)
        guard (try? JSONInput.checkNesting(body)) != nil, let parts = scanner.scan(),
            let relayParent = StrictJSONReader.read(body, in: parts.relayParent, { $0.fixed(Hash.self) })
                ?? (try? JSONDecoder().decode(Hash.self, from: Data(body[parts.relayParent])))
        else { return nil }
        let decodedParts = await inConcurrentParts(parts.entries, minimumPart: 16) { ranges in
            let decoder = JSONDecoder()
            // Only a syntax error escapes Lenient, and it must fail the whole body as before.
            return try? ranges.map { range in
                if let statement = StrictJSONReader.read(body, in: range, { SignedFullStatement(strictJSON: &$0) }) {
                    return Lenient(.success(statement))
                }
                return try decoder.decode(Lenient<SignedFullStatement>.self, from: Data(body[range]))
            }
        }
        var statements: [Lenient<SignedFullStatement>] = []
        statements.reserveCapacity(parts.entries.count)
        for part in decodedParts {
            guard let part else { return nil }
            statements += part
        }
        var validationData: [PersistedValidationData]?
        if let elements = parts.persistedValidationData {
            // Spread over the cores like the statements (a Seconded's data costs about what it does to
            // decode); a malformed entry goes to the whole-body decoder, which names the field.
            let decoded = await inConcurrentParts(elements, minimumPart: 16) { ranges in
                let decoder = JSONDecoder()
                return try? ranges.map { try decoder.decode(PersistedValidationData.self, from: Data(body[$0])) }
            }
            var list: [PersistedValidationData] = []
            list.reserveCapacity(elements.count)
            for part in decoded {
                guard let part else { return nil }
                list += part
            }
            validationData = list
        }
        return StatementBatchRequest(
            relayParent: relayParent, statements: statements, persistedValidationData: validationData)
    }
}

/// Finds the byte ranges of `relayParent`'s value and of each element of `statements` in a batch body,
/// without decoding them; `nil` for anything but one object with exactly those keys, once each, plain
/// keys and balanced brackets.
struct BatchBodyScanner {
    struct Parts {
        var relayParent: Range<Int>
        var entries: [Range<Int>]
        /// The elements of `persistedValidationData`, when it is given.
        var persistedValidationData: [Range<Int>]?
    }

    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func scan() -> Parts? {
        var relayParent: Range<Int>?
        var entries: [Range<Int>]?
        var validationData: [Range<Int>]?
        guard consume(UInt8(ascii: "{")) else { return nil }
        if consume(UInt8(ascii: "}")) { return nil }
        repeat {
            guard let key = plainKey(), consume(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            switch key {
            case "relayParent":
                guard relayParent == nil, let range = skipValue() else { return nil }
                relayParent = range
            case "statements":
                guard entries == nil, let elements = arrayElements() else { return nil }
                entries = elements
            case "persistedValidationData":
                guard validationData == nil, let elements = arrayElements() else { return nil }
                validationData = elements
            default:
                // Another key: the whole-body decoder ignores it, but only once it has parsed its value.
                return nil
            }
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { return nil }
        skipSpace()
        guard index == bytes.count, let relayParent, let entries else { return nil }
        return Parts(relayParent: relayParent, entries: entries, persistedValidationData: validationData)
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    /// Skips white space, then `byte` if it is next.
    private mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A key without escapes (a key with one goes to the full decoder, which unescapes it).
    private mutating func plainKey() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            guard bytes[index] != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// The ranges of an array's elements; `nil` for an empty element or unbalanced brackets.
    private mutating func arrayElements() -> [Range<Int>]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var elements: [Range<Int>] = []
        if consume(UInt8(ascii: "]")) { return elements }
        repeat {
            skipSpace()
            guard let element = skipValue() else { return nil }
            elements.append(element)
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "]")) else { return nil }
        return elements
    }

    /// Skips one value (its contents are checked later by the decoder) and returns its range.
    private mutating func skipValue() -> Range<Int>? {
        let start = index
        var depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard index < bytes.count else { return nil }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return start < index ? start..<index : nil }
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 0 { return start < index ? start..<index : nil }
            default:
                break
            }
            index += 1
            if depth == 0, byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                return start..<index
            }
        }
        return depth == 0 && start < index ? start..<index : nil
    }
}
