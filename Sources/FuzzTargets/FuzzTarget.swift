/// One fuzz target: a name, what it proves, and the check it makes on one input.
///
/// A check returns normally for every input its invariants hold on, whatever the input is (garbage
/// is expected: a decoder that refuses it is working). A broken invariant traps with a message saying
/// which one, so that libFuzzer records the input and `FuzzRegressionTests` fails on it.
public struct FuzzTarget: Sendable {
    /// The name `backingd-fuzz --target=NAME` and the corpus folder use.
    public let name: String
    /// The invariants the check holds the code to, in one sentence.
    public let summary: String
    /// Checks one input; traps on a broken invariant.
    public let check: @Sendable ([UInt8]) -> Void

    public init(name: String, summary: String, check: @escaping @Sendable ([UInt8]) -> Void) {
        self.name = name
        self.summary = summary
        self.check = check
    }

    /// Every target, in the order `make fuzz` runs them.
    public static let all: [FuzzTarget] = [
        FuzzTarget(
            name: "scale",
            summary: "SCALE decoding of every wire type: never traps; decode → encode → decode is stable",
            check: ScaleRoundTrip.check),
        FuzzTarget(
            name: "strict-json", summary: "the strict JSON reader answers only what Foundation answers",
            check: StrictJSONAgreement.check),
        FuzzTarget(
            name: "request-bodies", summary: "every request body DTO decodes or fails without trapping",
            check: RequestBodyDecoding.check),
        FuzzTarget(
            name: "text-encodings", summary: "hex, Base58, SS58 and secret URIs parse without trapping and round-trip",
            check: TextEncodings.check),
        FuzzTarget(
            name: "erasure", summary: "any k chunks give the data back; hostile chunks never trap",
            check: ErasureReconstruction.check),
        FuzzTarget(
            name: "chunk-proof",
            summary: "trie nodes re-encode canonically; honest proofs verify, hostile ones never trap",
            check: ChunkProofs.check),
        FuzzTarget(
            name: "statement-table", summary: "the statement table's invariants hold over any statement sequence",
            check: StatementTableSequences.check),
        FuzzTarget(
            name: "pvf", summary: "mutated wasm never takes the process down, bounded by fuel and memory limits",
            check: PVFExecution.check),
    ]

    /// The target called `name`, if there is one.
    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// Reads fuzzer bytes as a stream of small choices; reads past the end answer zero.
struct FuzzInput {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// A number in `range`, from one or two bytes.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = range.upperBound - range.lowerBound + 1
        let raw = span > 256 ? Int(byte()) << 8 | Int(byte()) : Int(byte())
        return range.lowerBound + raw % span
    }

    /// Up to `count` of the next bytes.
    mutating func bytes(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, offset + max(count, 0))
        guard offset < end else { return [] }
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    /// Every byte not read yet.
    mutating func rest() -> [UInt8] { bytes(bytes.count - offset) }
}
