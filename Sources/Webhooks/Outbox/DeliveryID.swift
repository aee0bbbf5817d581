internal import CSodium
internal import Primitives

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
        return [raw[0..<4], raw[4..<6], raw[6..<8], raw[8..<10], raw[10..<16]]
            .map { Hex.encode($0, prefix: false) }.joined(separator: "-")
    }
}
