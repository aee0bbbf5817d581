import CSodium

/// BLAKE2b (RFC 7693), unkeyed, through libsodium's `crypto_generichash`.
///
/// Polkadot's "blake2-256" is this function with a 32-byte digest; SS58 checksums use the 64-byte digest.
public enum Blake2b {
    /// Hashes `data` to `outputLength` bytes (1...64).
    public static func hash(_ data: some Collection<UInt8>, outputLength: Int = 32) -> [UInt8] {
        precondition((1...64).contains(outputLength), "BLAKE2b digests are 1 to 64 bytes long")
        return [UInt8](unsafeUninitializedCapacity: outputLength) { out, initialized in
            digest(data, into: UnsafeMutableRawBufferPointer(out))
            initialized = outputLength
        }
    }

    /// Polkadot's `blake2_256`: the 32-byte BLAKE2b digest, written straight into the hash.
    public static func hash256(_ data: some Collection<UInt8>) -> H256 {
        H256 { digest(data, into: $0) }
    }

    /// Writes the BLAKE2b digest of `data` to `out`, whose length (1...64) is the digest's.
    private static func digest(_ data: some Collection<UInt8>, into out: UnsafeMutableRawBufferPointer) {
        Sodium.ensureInitialized()
        let output = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let status: Int32 =
            data.withContiguousStorageIfAvailable { input in
                crypto_generichash(output, out.count, input.baseAddress, UInt64(input.count), nil, 0)
            }
            ?? Array(data).withUnsafeBufferPointer { input in
                crypto_generichash(output, out.count, input.baseAddress, UInt64(input.count), nil, 0)
            }
        // Safe because: libsodium fails only for out-of-range lengths, excluded by the callers.
        precondition(status == 0, "crypto_generichash rejected valid lengths")
    }
}

/// Process-wide libsodium initialisation, run once on first use (Swift global initialisers are lazy and
/// thread-safe).
package enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    /// Makes sure `sodium_init` ran; it picks the fastest implementations for this CPU.
    package static func ensureInitialized() {
        // Safe because: sodium_init fails only when the OS has no entropy source, which nothing here can fix.
        precondition(initialized, "sodium_init failed")
    }
}
