public import Primitives

/// Keccak-256 with the original Keccak padding (`0x01`), as Ethereum and `tiny_keccak::Keccak::v256` use
/// it; not SHA3-256. Polkadot's adder test parachain hashes its state with it.
public enum Keccak256 {
    /// The sponge rate in bytes: 1600 − 2·256 bits.
    private static let rate = 136

    /// The 32-byte Keccak-256 digest of `data`.
    public static func hash(_ data: some Collection<UInt8>) -> H256 {
        var state = KeccakState()
        var input = Array(data)[...]
        while true {
            let take = min(input.count, rate)
            let isLast = input.count < rate
            let chunk = input.prefix(take)
            state.withUnsafeMutableBytes { bytes in
                for (offset, byte) in chunk.enumerated() { bytes[offset] ^= byte }
                if isLast {
                    bytes[take] ^= 0x01
                    bytes[rate - 1] ^= 0x80
                }
            }
            state.permute()
            if isLast { break }
            input = input.dropFirst(take)
        }
        return H256(unchecked: Array(state.bytes.prefix(32)))
    }
}
