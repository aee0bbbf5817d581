/// Hex text for bytes, as polkadot-js prints it: `0x`-prefixed lowercase on output, either case on input.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `0x` followed by two lowercase hex digits per byte.
    public static func encode(_ bytes: some Sequence<UInt8>, prefix: Bool = true) -> String {
        var utf8: [UInt8] = prefix ? [UInt8(ascii: "0"), UInt8(ascii: "x")] : []
        utf8.reserveCapacity(utf8.count + bytes.underestimatedCount * 2)
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Parses `0x`-prefixed hex (`0X` too, digits of either case); `nil` without the prefix, when a
    /// character is not a hex digit, or when the number of digits is odd. The prefix is required because
    /// the contract and OpenAPI document say so: text like `""` or `"00"` is a client's mistake, not bytes.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Substring(text).utf8[...]
        guard utf8.starts(with: "0x".utf8) || utf8.starts(with: "0X".utf8) else { return nil }
        return decodeDigits(utf8.dropFirst(2))
    }

    /// Parses bare hex digits (no prefix), for formats that put their own marker in front (a secret URI's
    /// `0x` seed is split off by its parser); `nil` for a non-digit or an odd count.
    public static func decodeDigits(_ text: some StringProtocol) -> [UInt8]? {
        decodeDigits(Substring(text).utf8[...])
    }

    private static func decodeDigits(_ utf8: Substring.UTF8View.SubSequence) -> [UInt8]? {
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var high: UInt8? = nil
        for character in utf8 {
            guard let nibble = nibble(character) else { return nil }
            if let h = high {
                out.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return out
    }

    /// Each byte's value as a hex digit, 0xFF for a byte that is not one.
    private static let digitValues: [UInt8] = (0..<256).map { nibble(UInt8($0)) ?? 0xFF }

    /// Decodes `digits` (two per byte, either case) into `out`, which holds half as many bytes; `false` when
    /// one is not a hex digit (`out` then holds garbage).
    ///
    /// Why a table and no branch per digit: request bodies are mostly hex (a batch of 250 statements is about
    /// 400 KB of it), and digit by digit through ``nibble(_:)`` it was 1.4% of the batch import's profile.
    public static func decode(digits: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>)
        -> Bool
    {
        precondition(digits.count == out.count * 2, "two digits per byte")
        return digitValues.withUnsafeBufferPointer { values in
            var invalid: UInt8 = 0
            for index in 0..<out.count {
                let high = values[Int(digits[2 * index])]
                let low = values[Int(digits[2 * index + 1])]
                invalid |= high | low
                out[index] = high << 4 | low
            }
            return invalid & 0xF0 == 0
        }
    }

    /// The value of one hex digit of either case; `nil` for any other byte.
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
