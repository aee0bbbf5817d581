import CDecaf
public import Primitives

/// An sr25519 public key decoded once, for verifying many signatures by it.
///
/// Every verification otherwise decodes the key's ristretto255 encoding again: an inverse square root,
/// about a tenth of a single verification and a fifth of a batched one when every key differs. Keep
/// these for a key set that stays fixed for a while, such as a session's validators, and pass them to
/// ``Sr25519/verify(_:message:key:)`` or
/// ``Primitives/UncheckedSigned/areSignaturesValid(_:context:validatorKeys:)``. Immutable, so it can
/// be shared between threads.
public final class Sr25519VerifyingKey: @unchecked Sendable {
    /// The key's encoding, which the signature transcript absorbs.
    public let publicKey: Sr25519Public
    /// The decoded point, owned by this object; C only ever reads it. This is why the class is
    /// `@unchecked Sendable`: nothing mutates the pointee after `init`.
    let handle: OpaquePointer

    /// Decodes `publicKey`; `nil` when no signature can be valid under it: bit 255 set or not a
    /// canonical ristretto255 encoding. The identity (all zeros) decodes, as schnorrkel accepts it.
    public init?(_ publicKey: Sr25519Public) {
        let decoded = publicKey.withUnsafeBytes { encoding in
            Ristretto.hasClearTopBit(encoding)
                ? cdecaf_public_key_decode(encoding.baseAddress!.assumingMemoryBound(to: UInt8.self)) : nil
        }
        guard let handle = decoded else { return nil }
        self.publicKey = publicKey
        self.handle = handle
    }

    deinit { cdecaf_public_key_free(handle) }
}
