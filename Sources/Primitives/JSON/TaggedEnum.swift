/// Coding keys for externally tagged enums (`{"seconded": {...}}`) and other open key sets.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int?
    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// Helpers for polkadot-js style externally tagged enums: one object key names the variant.
public enum TaggedEnum {
    /// The first key of `container` that is one of `variants`.
    /// - Throws: a `DecodingError` naming the allowed variants when none is present.
    public static func variant(
        in container: KeyedDecodingContainer<AnyCodingKey>, of variants: [String]
    ) throws -> AnyCodingKey {
        for name in variants where container.contains(AnyCodingKey(name)) { return AnyCodingKey(name) }
        throw DecodingError.dataCorrupted(
            .init(
                codingPath: container.codingPath,
                debugDescription: "expected an object with one of the keys \(variants.joined(separator: ", "))"))
    }
}
