/// Why SCALE bytes could not be decoded. Every case names the byte offset where decoding stopped.
public enum ScaleDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended `needed` bytes too early.
    case unexpectedEnd(offset: Int, needed: Int)
    /// Bytes were left over after a complete value.
    case trailingBytes(offset: Int, count: Int)
    /// An enum or `Option` tag that the type does not have.
    case invalidTag(type: String, tag: UInt8, offset: Int)
    /// A compact integer in a wider mode than its value needs, or wider than the target type.
    case invalidCompact(offset: Int, reason: String)
    /// A length prefix larger than what is left of the input, or larger than a `u32`.
    case lengthTooLarge(offset: Int, length: UInt64, remaining: Int)
    /// A value that has the right size but is not valid for its type (a bad magic string, for example).
    case invalidValue(type: String, offset: Int, reason: String)

    public var description: String {
        switch self {
        case .unexpectedEnd(let offset, let needed): "input ends at byte \(offset), \(needed) more byte(s) needed"
        case .trailingBytes(let offset, let count): "\(count) unexpected byte(s) after the value at byte \(offset)"
        case .invalidTag(let type, let tag, let offset): "invalid \(type) variant index \(tag) at byte \(offset)"
        case .invalidCompact(let offset, let reason): "invalid compact integer at byte \(offset): \(reason)"
        case .lengthTooLarge(let offset, let length, let remaining):
            "length \(length) at byte \(offset) exceeds the \(remaining) byte(s) left"
        case .invalidValue(let type, let offset, let reason): "invalid \(type) at byte \(offset): \(reason)"
        }
    }
}
