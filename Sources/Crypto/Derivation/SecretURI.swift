import Primitives

/// A Substrate secret URI, `<phrase or 0x seed>//hard/soft///password`, split into its parts.
public struct SecretURI: Sendable, Equatable {
    /// The mnemonic or `0x` hex seed; `nil` means the development phrase.
    public let phrase: String?
    /// The derivation path, applied left to right.
    public let junctions: [DeriveJunction]
    /// The BIP39 password after `///`; ignored for hex seeds.
    public let password: String?

    /// Splits `text` with Substrate's grammar
    /// `^(?P<phrase>[\d\w ]+)?(?P<path>(//?[^/]+)*)(///(?P<password>.*))?$`.
    ///
    /// Throws ``CryptoError/invalidSecretURI(_:)`` when `text` does not match it (for example an empty
    /// junction such as `//Alice//`); the error carries the text before any `///` so it never echoes a
    /// password.
    public init(_ text: String) throws(CryptoError) {
        let redacted = text.firstRange(of: "///").map { String(text[..<$0.lowerBound]) } ?? text
        let grammar: Regex<AnyRegexOutput>
        do {
            grammar = try Regex(#"^(?<phrase>[\d\w ]+)?(?<path>(//?[^/]+)*)(///(?<password>.*))?$"#)
        } catch {
            // Safe because: the pattern is a constant the tests compile on every run.
            preconditionFailure("secret URI grammar does not compile: \(error)")
        }
        guard let match = try? grammar.matchingSemantics(.unicodeScalar).wholeMatch(in: text) else {
            throw .invalidSecretURI(redacted)
        }
        phrase = match.output["phrase"]?.substring.map(String.init)
        password = match.output["password"]?.substring.map(String.init)
        let path = match.output["path"]?.substring ?? ""
        junctions = Self.junctions(in: path)
    }

    /// Splits a path already checked against `(//?[^/]+)*` at each `/` or `//`.
    private static func junctions(in path: Substring) -> [DeriveJunction] {
        var rest = path
        var junctions: [DeriveJunction] = []
        while rest.first == "/" {
            rest = rest.dropFirst()
            let hard = rest.first == "/"
            if hard { rest = rest.dropFirst() }
            let name = rest.prefix { $0 != "/" }
            rest = rest[name.endIndex...]
            let code = DeriveJunction.chainCode(for: name)
            junctions.append(hard ? .hard(code) : .soft(code))
        }
        return junctions
    }
}

extension Sr25519Keypair {
    /// The mini secret of the development phrase with no password.
    private static let devRootMiniSecret: [UInt8] = {
        do {
            return try Mnemonic.miniSecret(phrase: Mnemonic.devPhrase)
        } catch {
            // Safe because: the development phrase is a valid constant mnemonic (checked by the tests).
            preconditionFailure("the development phrase is invalid: \(error)")
        }
    }()

    /// The key pair of a secret URI (Substrate's `Pair::from_string`): `//Alice`,
    /// `<mnemonic>//hard/soft///password`, or `0x<32-byte hex seed>//path`. A missing phrase means
    /// ``Mnemonic/devPhrase``.
    ///
    /// Throws ``CryptoError/invalidSecretURI(_:)`` for text outside the grammar,
    /// ``CryptoError/invalidSeedHex(_:)`` or ``CryptoError/invalidSeedLength(_:)`` for a bad `0x` seed,
    /// and the mnemonic errors of ``Mnemonic/entropy(of:)``.
    public init(suri: String) throws(CryptoError) {
        let uri = try SecretURI(suri)
        let root: Sr25519Keypair
        switch uri.phrase {
        case nil:
            if let password = uri.password {
                root = try Sr25519Keypair(
                    miniSecret: Mnemonic.miniSecret(phrase: Mnemonic.devPhrase, password: password))
            } else {
                root = try Sr25519Keypair(miniSecret: Self.devRootMiniSecret)
            }
        case let phrase? where phrase.hasPrefix("0x"):
            guard let seed = Hex.decodeDigits(phrase.dropFirst(2)) else { throw .invalidSeedHex(phrase) }
            root = try Sr25519Keypair(miniSecret: seed)
        case let phrase?:
            root = try Sr25519Keypair(miniSecret: Mnemonic.miniSecret(phrase: phrase, password: uri.password ?? ""))
        }
        self = root.derive(uri.junctions)
    }

    /// A development account: `dev("Alice")` is `//Alice` on the development phrase.
    public static func dev(_ name: String) -> Sr25519Keypair {
        do {
            return try Sr25519Keypair(miniSecret: devRootMiniSecret).derive([.hard(DeriveJunction.chainCode(for: name))]
            )
        } catch {
            // Safe because: devRootMiniSecret is always 32 bytes, the only condition init(miniSecret:) checks.
            preconditionFailure("development root seed rejected: \(error)")
        }
    }
}
