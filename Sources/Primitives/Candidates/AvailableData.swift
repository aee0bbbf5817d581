/// What the availability store keeps and erasure coding spreads (`AvailableData`, node-primitives v1).
///
/// SCALE: pov, then validationData. JSON: `{"pov": PoV, "validationData": PersistedValidationData}`.
public struct AvailableData: ScaleCodable, Codable, Hashable, Sendable {
    public var pov: PoV
    public var validationData: PersistedValidationData

    public init(pov: PoV, validationData: PersistedValidationData) {
        self.pov = pov
        self.validationData = validationData
    }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(pov)
        encoder.append(validationData)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        pov = try decoder.read()
        validationData = try decoder.read()
    }
}
