internal import CSodium

/// Delivery ids: random (version 4) UUIDs in lowercase, as `X-Backing-Delivery` carries them.
///
/// Why not Foundation's `UUID()`: `UUID().uuidString.lowercased()` costs ~3.7 µs here, while libsodium's
/// `randombytes_buf` (the kernel's generator through getrandom) gives the same 122 random bits in ~0.4 µs.
/// The text is written straight into the string: joining hex-encoded slices showed in the batch import's
/// profile (1% of it, for one id per provisioner.backed delivery).
enum DeliveryID {
    private static let digits = Array("0123456789abcdef".utf8)

    static func make() -> String {
        _ = sodiumInit
        var raw: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &raw) { raw in
            // Safe because: a tuple of two UInt64 has a base address and 16 bytes.
            randombytes_buf(raw.baseAddress!, 16)
            raw[6] = raw[6] & 0x0F | 0x40  // version 4
            raw[8] = raw[8] & 0x3F | 0x80  // RFC 4122 variant
            return String(unsafeUninitializedCapacity: 36) { text in
                var written = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[written] = UInt8(ascii: "-")
                        written += 1
                    }
                    text[written] = digits[Int(raw[index] >> 4)]
                    text[written + 1] = digits[Int(raw[index] & 0x0F)]
                    written += 2
                }
                return written
            }
        }
    }
}
