/// The outputs of a candidate's execution (`CandidateCommitments`, primitives v1).
///
/// SCALE field order: upwardMessages Vec<bytes>, horizontalMessages Vec<OutboundHrmpMessage>,
/// newValidationCode Option<bytes>, headData bytes, processedDownwardMessages u32, hrmpWatermark u32.
public struct CandidateCommitments: ScaleCodable, Codable, Hashable, Sendable {
    public var upwardMessages: [Bytes]
    public var horizontalMessages: [OutboundHrmpMessage]
    public var newValidationCode: ValidationCode?
    public var headData: HeadData
    public var processedDownwardMessages: UInt32
    public var hrmpWatermark: BlockNumber

    /// Rust's `Default`: everything empty or zero.
    public init(
        upwardMessages: [Bytes] = [], horizontalMessages: [OutboundHrmpMessage] = [],
        newValidationCode: ValidationCode? = nil, headData: HeadData = HeadData(bytes: []),
        processedDownwardMessages: UInt32 = 0, hrmpWatermark: BlockNumber = 0
    ) {
        self.upwardMessages = upwardMessages
        self.horizontalMessages = horizontalMessages
        self.newValidationCode = newValidationCode
        self.headData = headData
        self.processedDownwardMessages = processedDownwardMessages
        self.hrmpWatermark = hrmpWatermark
    }

    /// `commitmentsHash`: blake2b-256 of the SCALE encoding.
    public var hash: H256 { Blake2b.hash256(scaleEncoded) }

    public static var minimumEncodedSize: Int { 12 }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(upwardMessages)
        encoder.append(horizontalMessages)
        encoder.append(newValidationCode)
        encoder.append(headData)
        encoder.append(littleEndian: processedDownwardMessages)
        encoder.append(littleEndian: hrmpWatermark)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        upwardMessages = try decoder.readArray()
        horizontalMessages = try decoder.readArray()
        newValidationCode = try decoder.readOptional()
        headData = try decoder.read()
        processedDownwardMessages = try decoder.read()
        hrmpWatermark = try decoder.read()
    }

    enum CodingKeys: String, CodingKey {
        case upwardMessages, horizontalMessages, newValidationCode, headData, processedDownwardMessages, hrmpWatermark
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        upwardMessages = try c.decode([Bytes].self, forKey: .upwardMessages)
        horizontalMessages = try c.decode([OutboundHrmpMessage].self, forKey: .horizontalMessages)
        newValidationCode = try c.decodeIfPresent(ValidationCode.self, forKey: .newValidationCode)
        headData = try c.decode(HeadData.self, forKey: .headData)
        processedDownwardMessages = try c.decodeU32(forKey: .processedDownwardMessages)
        hrmpWatermark = try c.decodeU32(forKey: .hrmpWatermark)
    }

    /// `newValidationCode` is written as `null` when absent, as polkadot-js prints it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(upwardMessages, forKey: .upwardMessages)
        try container.encode(horizontalMessages, forKey: .horizontalMessages)
        try container.encode(newValidationCode, forKey: .newValidationCode)
        try container.encode(headData, forKey: .headData)
        try container.encode(processedDownwardMessages, forKey: .processedDownwardMessages)
        try container.encode(hrmpWatermark, forKey: .hrmpWatermark)
    }
}
