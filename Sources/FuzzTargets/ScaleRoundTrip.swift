import Backing
import Primitives
import Validation

/// SCALE decoding of the wire types. The first byte picks the type (``types``), the rest is its encoding.
///
/// Invariants: decoding never traps; a value that decodes re-encodes to bytes of the same length that
/// decode to the same value, and to exactly the input for every type whose encoding is canonical (all but
/// bit vectors, whose unused high bits are ignored when read).
public enum ScaleRoundTrip {
    /// A wire type and whether each value has exactly one encoding.
    struct WireType: Sendable {
        let name: String
        let canonical: Bool
        let roundTrip: @Sendable ([UInt8]) -> (decoded: Bool, reencodedEqual: Bool, stable: Bool, sameLength: Bool)

        init<T: ScaleCodable & Equatable & Sendable>(_ type: T.Type, canonical: Bool = true) {
            name = "\(T.self)"
            self.canonical = canonical
            roundTrip = { bytes in
                guard let value = try? T(scaleEncoded: bytes) else { return (false, false, true, true) }
                let encoded = value.scaleEncoded
                let again = try? T(scaleEncoded: encoded)
                return (
                    true, encoded == bytes, again == value && again?.scaleEncoded == encoded,
                    encoded.count == bytes.count
                )
            }
        }
    }

    /// The types, by the index the first input byte selects (modulo the count). Append only: the committed
    /// corpus depends on these indices.
    static let types: [WireType] = [
        WireType(CandidateReceipt.self),
        WireType(CommittedCandidateReceipt.self),
        WireType(CandidateDescriptor.self),
        WireType(CandidateDescriptorV2.self),
        WireType(CandidateCommitments.self),
        WireType(PersistedValidationData.self),
        WireType(PoV.self),
        WireType(AvailableData.self),
        WireType(Statement.self),
        WireType(CompactStatement.self),
        WireType(SignedFullStatement.self),
        WireType(SignedStatement.self),
        WireType(ValidityAttestation.self),
        WireType(BackedCandidate.self, canonical: false),
        WireType(DisputeStatement.self),
        WireType(CoreState.self),
        WireType(GroupRotationInfo.self),
        WireType(SigningContext.self),
        WireType(UMPSignal.self),
        WireType(BitVec.self, canonical: false),
        WireType(OutboundHrmpMessage.self),
        WireType(ValidationParams.self),
        WireType(ValidationResult.self),
        WireType(JobEvent.self),
        WireType(ValidationConclusion.self),
    ]

    /// The index of `name` in ``types`` (for building seeds).
    public static func typeIndex(_ name: String) -> UInt8? {
        types.firstIndex { $0.name == name }.map(UInt8.init)
    }

    @Sendable public static func check(_ data: [UInt8]) {
        guard let selector = data.first else { return }
        let type = types[Int(selector) % types.count]
        let result = type.roundTrip(Array(data.dropFirst()))
        guard result.decoded else { return }
        precondition(result.stable, "\(type.name): the re-encoded value decodes to another value")
        precondition(result.sameLength, "\(type.name): the re-encoding has another length than the input")
        precondition(!type.canonical || result.reencodedEqual, "\(type.name): decode → encode differs from the input")
    }
}
