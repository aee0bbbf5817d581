public import Primitives

/// The `Crypto` module: sr25519 (schnorrkel 0.9 as Substrate uses it), Substrate key derivation, and
/// signing of backing statements.
public enum CryptoModule {}
