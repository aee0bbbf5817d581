/// Reads the canonical JSON of the hot request types straight from bytes, for speed.
///
/// Why: Foundation's `JSONDecoder` spends ~11 µs on one statement request (most of it in `Codable`'s
/// containers), about half of what its signature costs to check in a batch. This reader takes ~2 µs.
///
/// It accepts only a strict subset of JSON: objects whose keys are exactly the expected ones, each once,
/// without escapes; strings without escapes; `0x` hex; integers written plainly (no sign, fraction or
/// exponent). For anything else a read answers `nil` (or `false`), and the caller decodes the input with
/// Foundation instead, whose answer — the value, or the error naming the field — is the reference. So
/// this reader never decides an error, and a value it does return is the value Foundation returns for
/// the same bytes (`StrictJSONTests` checks this on random and mutated documents).
///
/// Valid only inside the `withUnsafeBufferPointer` call that made its buffer: use ``read(_:in:_:)``.
public struct StrictJSONReader: ~Copyable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index: Int
    private let end: Int

    private init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) {
        self.bytes = bytes
        index = range.lowerBound
        end = range.upperBound
    }

    /// Runs `body` on a reader over `bytes[range]`; `nil` unless `body` reads a value and only white
    /// space follows it.
    public static func read<Value>(
        _ bytes: [UInt8], in range: Range<Int>? = nil, _ body: (inout StrictJSONReader) -> Value?
    ) -> Value? {
        bytes.withUnsafeBufferPointer { buffer in
            let range = range ?? 0..<buffer.count
            guard range.lowerBound >= 0, range.upperBound <= buffer.count else { return nil }
            var reader = StrictJSONReader(buffer, range: range)
            guard let value = body(&reader) else { return nil }
            reader.skipSpace()
            return reader.index == reader.end ? value : nil
        }
    }

    // MARK: Values

    /// An object whose keys are exactly `keys`, each once, in any order; `value(&reader, i)` reads the
    /// value of `keys[i]` and answers whether it could.
    public mutating func object(
        _ keys: StrictJSONKeys, _ value: (inout StrictJSONReader, Int) -> Bool
    ) -> Bool {
        objectKeys(keys, value) == keys.all
    }

    /// An object whose keys are some of `keys`, each once, in any order, read as ``object(_:_:)`` reads
    /// them. - Returns: the set of keys seen (bit `i` for `keys[i]`), or `nil` when the input is not such
    /// an object.
    public mutating func objectKeys(
        _ keys: StrictJSONKeys, _ value: (inout StrictJSONReader, Int) -> Bool
    ) -> UInt64? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var seen: UInt64 = 0
        repeat {
            guard let key = self.key(in: keys), seen & (1 << key) == 0, consume(UInt8(ascii: ":")) else {
                return nil
            }
            seen |= 1 << key
            skipSpace()
            guard value(&self, key) else { return nil }
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "}")) ? seen : nil
    }

    /// An externally tagged enum: an object with exactly one key, one of `keys`; `value(&reader, i)`
    /// reads the value of `keys[i]`.
    public mutating func variant(
        _ keys: StrictJSONKeys, _ value: (inout StrictJSONReader, Int) -> Bool
    ) -> Bool {
        guard consume(UInt8(ascii: "{")), let key = self.key(in: keys), consume(UInt8(ascii: ":")) else {
            return false
        }
        skipSpace()
        return value(&self, key) && consume(UInt8(ascii: "}"))
    }

    /// An array whose elements `element` reads.
    public mutating func array(_ element: (inout StrictJSONReader) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "[")) else { return false }
        if consume(UInt8(ascii: "]")) { return true }
        repeat {
            skipSpace()
            guard element(&self) else { return false }
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "]"))
    }

    /// `null`.
    public mutating func null() -> Bool {
        skipSpace()
        guard end - index >= 4, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    /// An integer from 0 to 4294967295 written without sign, leading zero, fraction or exponent.
    public mutating func u32() -> UInt32? {
        skipSpace()
        let start = index
        var value: UInt64 = 0
        while index < end, index - start <= 10, case let digit = bytes[index] &- UInt8(ascii: "0"), digit < 10 {
            value = value * 10 + UInt64(digit)
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits <= 10, digits == 1 || bytes[start] != UInt8(ascii: "0"),
            value <= UInt64(UInt32.max)
        else { return nil }
        // A fraction or exponent follows: Foundation reads the number as a Double; let it.
        if index < end, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            return nil
        }
        return UInt32(value)
    }

    /// A string `0x` or `0X` and an even number of hex digits of either case, as bytes.
    /// - Parameter count: the number of bytes required, or `nil` for any.
    public mutating func hex(count: Int? = nil) -> [UInt8]? {
        guard let digits = hexDigits(count: count) else { return nil }
        let decoded = [UInt8](unsafeUninitializedCapacity: digits.count / 2) { out, initialized in
            let valid = Hex.decode(
                digits: digits, into: UnsafeMutableBufferPointer(rebasing: out[0..<digits.count / 2]))
            initialized = valid ? digits.count / 2 : 0
        }
        guard decoded.count == digits.count / 2 else { return nil }
        index += 3 + digits.count + 1
        return decoded
    }

    /// A fixed-size value as `0x` hex of exactly its size, decoded straight into the value.
    public mutating func fixed<Value: FixedBytes>(_ type: Value.Type) -> Value? {
        guard let digits = hexDigits(count: Value.byteCount) else { return nil }
        var valid = false
        let value = Value { out in valid = Hex.decode(digits: digits, into: out.bindMemory(to: UInt8.self)) }
        guard valid else { return nil }
        index += 3 + digits.count + 1
        return value
    }

    /// The digits of the `"0x…"` string at the next value (after spaces, which it skips), if it has an even
    /// number of them (`2 × count` when `count` is given); `index` is left at the opening quote.
    private mutating func hexDigits(count: Int?) -> UnsafeBufferPointer<UInt8>? {
        skipSpace()
        guard end - index >= 3, bytes[index] == UInt8(ascii: "\""), bytes[index + 1] == UInt8(ascii: "0"),
            bytes[index + 2] | 0x20 == UInt8(ascii: "x")
        else { return nil }
        let start = index + 3
        var close = start
        while close < end, bytes[close] != UInt8(ascii: "\"") { close += 1 }
        let digits = close - start
        guard close < end, digits % 2 == 0, count.map({ $0 * 2 == digits }) ?? true else { return nil }
        return UnsafeBufferPointer(rebasing: bytes[start..<close])
    }

    // MARK: Syntax

    private mutating func skipSpace() {
        while index < end {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < end, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// The position in `keys` of the next key, which must be one of them, written without escapes.
    private mutating func key(in keys: StrictJSONKeys) -> Int? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < end, bytes[index] != UInt8(ascii: "\"") {
            guard bytes[index] != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        guard index < end else { return nil }
        let name = UnsafeBufferPointer(rebasing: bytes[start..<index])
        index += 1
        return keys.names.firstIndex { $0.elementsEqual(name) }
    }
}

/// The exact key set of an object ``StrictJSONReader`` reads (at most 64 keys).
public struct StrictJSONKeys: Sendable {
    let names: [[UInt8]]
    /// Every key's bit.
    public let all: UInt64

    public init(_ names: String...) {
        precondition(!names.isEmpty && names.count <= 64)
        self.names = names.map { Array($0.utf8) }
        all = names.count == 64 ? .max : (1 << UInt64(names.count)) - 1
    }
}

/// A type with a strict JSON form that ``JSONInput/decode(_:from:)-([UInt8])`` tries before Foundation.
public protocol StrictJSONDecodable: Decodable {
    /// Reads the value in its strict form; `nil` when the input is not in it (Foundation decides then).
    init?(strictJSON reader: inout StrictJSONReader)
}
