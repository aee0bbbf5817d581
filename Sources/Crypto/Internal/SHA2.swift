import CSodium

/// SHA-256, SHA-512 and HMAC-SHA512 from libsodium, plus the single-block PBKDF2 that substrate-bip39
/// needs.
package enum SHA2 {
    /// The SHA-256 digest of `data` (32 bytes); BIP39 checksums use it.
    package static func sha256(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        _ = crypto_hash_sha256(&out, data, UInt64(data.count))
        return out
    }

    /// The SHA-512 digest of `data` (64 bytes).
    package static func sha512(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        _ = crypto_hash_sha512(&out, data, UInt64(data.count))
        return out
    }

    /// HMAC-SHA512 of `message` under `key` (any key length; HMAC hashes long keys and zero-pads short ones).
    package static func hmacSHA512(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var state = crypto_auth_hmacsha512_state()
        _ = crypto_auth_hmacsha512_init(&state, key, key.count)
        _ = crypto_auth_hmacsha512_update(&state, message, UInt64(message.count))
        var out = [UInt8](repeating: 0, count: 64)
        _ = crypto_auth_hmacsha512_final(&state, &out)
        return out
    }

    /// PBKDF2-HMAC-SHA512 producing one 64-byte block (block index 1), which is all BIP39 asks for.
    package static func pbkdf2SHA512Block(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        precondition(iterations >= 1, "PBKDF2 needs at least one iteration")
        var u = hmacSHA512(key: password, message: salt + [0, 0, 0, 1])
        var result = u
        for _ in 1..<iterations {
            u = hmacSHA512(key: password, message: u)
            for index in 0..<64 { result[index] ^= u[index] }
        }
        return result
    }
}
