internal import CSodium
internal import Primitives

/// The `X-Backing-Signature` value: `sha256=` and the lowercase hex HMAC-SHA256 of the body.
enum WebhookSignature {
    /// Signs `body` with `secret` (its UTF-8 bytes, any length, as GitHub's web-hooks do).
    static func header(body: [UInt8], secret: String) -> String {
        _ = sodiumInit
        var state = crypto_auth_hmacsha256_state()
        var mac = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        let key = Array(secret.utf8)
        // The streaming API takes a key of any length; `crypto_auth_hmacsha256` wants exactly 32 bytes.
        // It only fails for a null state, which cannot happen here.
        _ = crypto_auth_hmacsha256_init(&state, key, key.count)
        _ = crypto_auth_hmacsha256_update(&state, body, UInt64(body.count))
        _ = crypto_auth_hmacsha256_final(&state, &mac)
        return "sha256=" + Hex.encode(mac, prefix: false)
    }
}

/// `sodium_init`, once per process (a lazily initialised global runs exactly once).
let sodiumInit: Void = {
    precondition(sodium_init() >= 0, "libsodium failed to initialise")
}()
