internal import CSodium

/// Delivery ids: random (version 4) UUIDs in lowercase, as `X-Backing-Delivery` carries them.
///
/// Why not Foundation's `UUID()`: `UUID().uuidString.lowercased()` costs ~3.7 µs here, while libsodium's
/// `randombytes_buf` (the kernel's generator through getrandom) gives the same 122 random bits in ~0.4 µs.
enum DeliveryID {
    static func make() -> String {
        _ = sodiumInit
        var raw = [UInt8](repeating: 0, count: 16)
        randombytes_buf(&raw, raw.count)
        raw[6] = raw[6] & 0x0F | 0x40  // version 4
        raw[8] = raw[8] & 0x3F | 0x80  // RFC 4122 variant
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in raw.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)
}
