/// A message a candidate sends to another parachain (`OutboundHrmpMessage<ParaId>`).
///
/// SCALE: recipient u32, data bytes. JSON: `{"recipient": 2000, "data": "0x…"}`.
public struct OutboundHrmpMessage: ScaleCodable, Codable, Hashable, Sendable {
    public var recipient: ParaId
    public var data: Bytes

    public init(recipient: ParaId, data: [UInt8]) {
        self.recipient = recipient
        self.data = Bytes(bytes: data)
    }

    public static var minimumEncodedSize: Int { 5 }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(recipient)
        encoder.append(data)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        recipient = try decoder.read()
        data = try decoder.read()
    }
}
