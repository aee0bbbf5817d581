public import Primitives

/// What a PVF's `validate_block` returns (`polkadot_parachain::primitives::ValidationResult`).
///
/// SCALE: `head_data: HeadData, new_validation_code: Option<ValidationCode>,
/// upward_messages: Vec<UpwardMessage>, horizontal_messages: Vec<OutboundHrmpMessage>,
/// processed_downward_messages: u32, hrmp_watermark: u32` — the commitments' fields in another order.
public struct ValidationResult: ScaleCodable, Hashable, Sendable {
    public var headData: HeadData
    public var newValidationCode: ValidationCode?
    public var upwardMessages: [Bytes]
    public var horizontalMessages: [OutboundHrmpMessage]
    public var processedDownwardMessages: UInt32
    public var hrmpWatermark: BlockNumber

    public init(
        headData: HeadData, newValidationCode: ValidationCode? = nil, upwardMessages: [Bytes] = [],
        horizontalMessages: [OutboundHrmpMessage] = [], processedDownwardMessages: UInt32 = 0,
        hrmpWatermark: BlockNumber = 0
    ) {
        self.headData = headData
        self.newValidationCode = newValidationCode
        self.upwardMessages = upwardMessages
        self.horizontalMessages = horizontalMessages
        self.processedDownwardMessages = processedDownwardMessages
        self.hrmpWatermark = hrmpWatermark
    }

    /// The candidate commitments these outputs amount to (what candidate-validation reports as valid).
    public var commitments: CandidateCommitments {
        CandidateCommitments(
            upwardMessages: upwardMessages, horizontalMessages: horizontalMessages,
            newValidationCode: newValidationCode, headData: headData,
            processedDownwardMessages: processedDownwardMessages, hrmpWatermark: hrmpWatermark)
    }

    public static var minimumEncodedSize: Int { 1 + 1 + 1 + 1 + 4 + 4 }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(headData)
        encoder.append(newValidationCode)
        encoder.append(upwardMessages)
        encoder.append(horizontalMessages)
        encoder.append(littleEndian: processedDownwardMessages)
        encoder.append(littleEndian: hrmpWatermark)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        headData = try decoder.read()
        newValidationCode = try decoder.readOptional()
        upwardMessages = try decoder.readArray()
        horizontalMessages = try decoder.readArray()
        processedDownwardMessages = try decoder.read()
        hrmpWatermark = try decoder.read()
    }
}
