/// A collator's choice among the cores assigned to its para at one claim-queue depth: typically the
/// least significant byte of the para block number (`CoreSelector`).
public struct CoreSelector: Hashable, Sendable, Codable {
    public let rawValue: UInt8
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }
}

/// The claim-queue depth whose cores a ``CoreSelector`` chooses among (`ClaimQueueOffset`).
public struct ClaimQueueOffset: Hashable, Sendable, Codable {
    public let rawValue: UInt8
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }
    /// `DEFAULT_CLAIM_QUEUE_OFFSET`: the depth used when a candidate selects no core.
    public static let `default` = ClaimQueueOffset(0)
}

/// A signal a candidate sends to the relay chain after the UMP separator (`UMPSignal`, primitives v9).
///
/// SCALE: a one-byte variant index, `0x00 selector offset` for `SelectCore` and `0x01 compact(len) peer`
/// for `ApprovedPeer` (a libp2p peer id of at most 64 bytes).
public enum UMPSignal: ScaleCodable, Hashable, Sendable {
    case selectCore(CoreSelector, ClaimQueueOffset)
    case approvedPeer([UInt8])

    /// `ApprovedPeerId`'s bound.
    public static let maxApprovedPeerLength = 64
    /// `UMP_SEPARATOR`: the empty upward message after which only signals follow.
    public static let separator: [UInt8] = []

    public static var minimumEncodedSize: Int { 2 }

    public func encode(to encoder: inout ScaleEncoder) {
        switch self {
        case .selectCore(let selector, let offset):
            encoder.append(UInt8(0))
            encoder.append(selector.rawValue)
            encoder.append(offset.rawValue)
        case .approvedPeer(let peer):
            encoder.append(UInt8(1))
            encoder.appendBytes(peer)
        }
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        let start = decoder.offset
        switch try decoder.readByte() {
        case 0:
            self = .selectCore(CoreSelector(try decoder.readByte()), ClaimQueueOffset(try decoder.readByte()))
        case 1:
            let lengthAt = decoder.offset
            let length = try decoder.readCompact()
            guard length <= UInt64(Self.maxApprovedPeerLength) else {
                throw .invalidValue(
                    type: "ApprovedPeerId", offset: lengthAt,
                    reason: "\(length) bytes exceed the bound of \(Self.maxApprovedPeerLength)")
            }
            self = .approvedPeer(try decoder.readRaw(Int(length)))
        case let tag:
            throw .invalidTag(type: "UMPSignal", tag: tag, offset: start)
        }
    }
}

/// The signals a candidate's commitments carry (`CandidateUMPSignals`): at most one of each kind.
public struct CandidateUMPSignals: Hashable, Sendable {
    public struct SelectCore: Hashable, Sendable, Codable {
        public let coreSelector: CoreSelector
        public let claimQueueOffset: ClaimQueueOffset

        public init(coreSelector: CoreSelector, claimQueueOffset: ClaimQueueOffset) {
            self.coreSelector = coreSelector
            self.claimQueueOffset = claimQueueOffset
        }

        enum CodingKeys: String, CodingKey { case coreSelector, claimQueueOffset }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            coreSelector = CoreSelector(try c.decode(UInt8.self, forKey: .coreSelector))
            claimQueueOffset = ClaimQueueOffset(try c.decode(UInt8.self, forKey: .claimQueueOffset))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(coreSelector.rawValue, forKey: .coreSelector)
            try c.encode(claimQueueOffset.rawValue, forKey: .claimQueueOffset)
        }
    }

    public var selectCore: SelectCore?
    public var approvedPeer: [UInt8]?

    public init(selectCore: SelectCore? = nil, approvedPeer: [UInt8]? = nil) {
        self.selectCore = selectCore
        self.approvedPeer = approvedPeer
    }

    /// Neither signal.
    public var isEmpty: Bool { selectCore == nil && approvedPeer == nil }
}

/// JSON `{"selectCore": {"coreSelector", "claimQueueOffset"} | null, "approvedPeer": "0x…" | null}`.
extension CandidateUMPSignals: Codable {
    enum CodingKeys: String, CodingKey { case selectCore, approvedPeer }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        selectCore = try c.decodeIfPresent(SelectCore.self, forKey: .selectCore)
        approvedPeer = try c.decodeIfPresent(Bytes.self, forKey: .approvedPeer)?.bytes
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(selectCore, forKey: .selectCore)
        try c.encode(approvedPeer.map { Bytes(bytes: $0) }, forKey: .approvedPeer)
    }
}

/// Why a committed receipt's signals or core index are not acceptable (`CommittedCandidateReceiptError`).
public enum CommittedCandidateReceiptError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No selector, several assigned cores, and the descriptor's core is none of them.
    case invalidCoreIndex
    /// The core the signals select is not the descriptor's.
    case coreIndexMismatch(descriptor: CoreIndex, commitments: CoreIndex)
    case invalidSelectedCore
    /// A message after the separator is not a `UMPSignal`.
    case umpSignalDecode
    /// The claim queue assigns no core to the para at the selected depth.
    case noAssignment
    case unknownVersion(UInt8)
    /// More than two messages after the separator.
    case tooManyUMPSignals
    /// The same kind of signal twice.
    case duplicateUMPSignal
    /// Signals in the commitments of a candidate with a V1 descriptor.
    case umpSignalWithV1Descriptor

    /// Upstream's variant name (with its spelling: `UMPSignalWithV1Decriptor`), as errors name the rule.
    public var name: String {
        switch self {
        case .invalidCoreIndex: "InvalidCoreIndex"
        case .coreIndexMismatch: "CoreIndexMismatch"
        case .invalidSelectedCore: "InvalidSelectedCore"
        case .umpSignalDecode: "UmpSignalDecode"
        case .noAssignment: "NoAssignment"
        case .unknownVersion: "UnknownVersion"
        case .tooManyUMPSignals: "TooManyUMPSignals"
        case .duplicateUMPSignal: "DuplicateUMPSignal"
        case .umpSignalWithV1Descriptor: "UMPSignalWithV1Decriptor"
        }
    }

    public var description: String {
        switch self {
        case .invalidCoreIndex: "InvalidCoreIndex: the descriptor's core is not assigned to the para"
        case .coreIndexMismatch(let descriptor, let commitments):
            "CoreIndexMismatch: the descriptor says core \(descriptor), the UMP signals select core \(commitments)"
        case .invalidSelectedCore: "InvalidSelectedCore: the selected core is not valid"
        case .umpSignalDecode: "UmpSignalDecode: a message after the UMP separator is not a UMP signal"
        case .noAssignment: "NoAssignment: the claim queue assigns no core to the para at the selected offset"
        case .unknownVersion(let version): "UnknownVersion: descriptor version \(version) is unknown"
        case .tooManyUMPSignals: "TooManyUMPSignals: more than two messages follow the UMP separator"
        case .duplicateUMPSignal: "DuplicateUMPSignal: the same UMP signal kind appears twice"
        case .umpSignalWithV1Descriptor: "UMPSignalWithV1Decriptor: UMP signals with a V1 descriptor"
        }
    }
}

extension CandidateCommitments {
    /// The index of the UMP separator (the first empty upward message), if any.
    public var umpSeparatorIndex: Int? { upwardMessages.firstIndex { $0.bytes.isEmpty } }

    /// The upward messages charged against UMP limits: those before the separator.
    public var chargedUpwardMessages: ArraySlice<Bytes> {
        upwardMessages[..<(umpSeparatorIndex ?? upwardMessages.count)]
    }

    /// The UMP signals after the separator (`ump_signals()`): none without a separator; otherwise at most
    /// two messages, each decoded from its start (trailing bytes ignored), at most one of each kind.
    public func umpSignals() throws(CommittedCandidateReceiptError) -> CandidateUMPSignals {
        guard let separator = umpSeparatorIndex else { return CandidateUMPSignals() }
        let messages = upwardMessages[(separator + 1)...]
        var signals = CandidateUMPSignals()
        for message in messages.prefix(2) {
            var decoder = ScaleDecoder(message.bytes)
            let signal: UMPSignal
            do {
                signal = try UMPSignal(from: &decoder)
            } catch {
                throw .umpSignalDecode
            }
            switch signal {
            case .selectCore(let selector, let offset):
                guard signals.selectCore == nil else { throw .duplicateUMPSignal }
                signals.selectCore = .init(coreSelector: selector, claimQueueOffset: offset)
            case .approvedPeer(let peer):
                guard signals.approvedPeer == nil else { throw .duplicateUMPSignal }
                signals.approvedPeer = peer
            }
        }
        guard messages.count <= 2 else { throw .tooManyUMPSignals }
        return signals
    }
}

extension CommittedCandidateReceipt {
    /// The signals, checked as validators and the runtime check them (`parse_ump_signals`): none allowed
    /// with a V1 descriptor, unknown versions refused, and for V2 the core index of the descriptor
    /// checked against the claim queue at the candidate's relay parent (see
    /// ``TransposedClaimQueue/checkCoreIndex(para:descriptorCore:selectCore:)``).
    public func parseUMPSignals(_ claimQueue: TransposedClaimQueue) throws(CommittedCandidateReceiptError)
        -> CandidateUMPSignals
    {
        let signals = try commitments.umpSignals()
        switch descriptor.version {
        case .v1:
            guard signals.isEmpty else { throw .umpSignalWithV1Descriptor }
            return signals
        case .unknown(let version):
            throw .unknownVersion(version)
        case .v2:
            // Safe because: a V2 descriptor always has a core index.
            try claimQueue.checkCoreIndex(
                para: descriptor.paraId, descriptorCore: descriptor.coreIndex!, selectCore: signals.selectCore)
            return signals
        }
    }
}
