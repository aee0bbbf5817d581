import Crypto
import Primitives

/// The text formats keys, hashes and addresses arrive in: hex, Base58, SS58 and secret URIs.
///
/// Invariants: no text traps a parser; hex that parses re-encodes to its lowercase `0x` form; Base58
/// that parses re-encodes to the same text; an SS58 address that parses re-encodes to an address of the
/// same prefix and account.
public enum TextEncodings {
    @Sendable public static func check(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)

        if let bytes = Hex.decode(text) {
            precondition(text.hasPrefix("0x") || text.hasPrefix("0X"), "hex without its 0x prefix was accepted")
            precondition(
                Hex.encode(bytes) == "0x" + text.dropFirst(2).lowercased(), "hex does not re-encode to its input")
        }

        if let bytes = Base58.decode(text) {
            precondition(Base58.encode(bytes) == text, "Base58 does not re-encode to its input")
        }

        if let address = try? SS58.decode(text) {
            let again = try? SS58.decode(SS58.encode(address.accountId, prefix: address.prefix))
            precondition(again == address, "an SS58 address does not re-encode to the same address")
        }

        if let uri = try? SecretURI(text) {
            precondition(uri.password == nil || text.contains("///"), "a secret URI has a password without ///")
        }
    }
}
