internal import Backing
internal import Primitives

/// What `dispute.statements` records refer to instead of repeating: candidates' receipts and validators'
/// public keys, numbered in the order they were first written, as the writer of the event log knows them.
///
/// Why: a candidate's receipt came with every statement on it, and every signer's key with each of its
/// statements, in every commit; they were half of what the log wrote. Each is now written once (a row of
/// `event_log_value` per commit that adds any) and records name it by its number.
///
/// Why epochs: the log is pruned by age, and a value must live as long as any record that refers to it. The
/// writer forgets every value when an epoch begins (every `epochLength`, at start, and after a failed commit)
/// and writes a value again when a record of the new epoch needs it, so that records only refer to values of
/// their own epoch. `event_log_epoch` keeps where each epoch begins, in events and in values; pruning deletes
/// the values of the epochs before the one the oldest remaining event is in. That holds whatever the clocks
/// do: the epoch length only bounds how long a value outlives its last reference.
struct EventLogValues: Sendable {
    /// Where an epoch begins: its first event's id and its first value's.
    struct Epoch: Equatable, Sendable {
        let firstEventID: Int64
        let firstValueID: Int64
    }

    /// The values a commit adds, back to back, each a little-endian `u32` length and its bytes.
    struct Written: Sendable {
        let firstID: Int64
        let count: Int
        let bytes: [UInt8]
    }

    let epochLength: Duration
    /// The id the next value gets.
    private(set) var nextID: Int64
    /// The id the next value gets once the commit under way is rolled back.
    private var committedNextID: Int64
    private var receipts: [CandidateHash: Int64] = [:]
    private var keys: [ValidatorId: Int64] = [:]
    private var epochBegan: ContinuousClock.Instant?
    /// The epoch the commit under way begins, if it does.
    private(set) var beginning: Epoch?
    private var written = ScaleEncoder(reservingCapacity: 0)
    private var writtenCount = 0

    /// - Parameter nextID: the id after every value the log has.
    init(nextID: Int64, epochLength: Duration) {
        self.nextID = nextID
        committedNextID = nextID
        self.epochLength = epochLength
    }

    /// Starts the values of a commit whose events begin at `firstEventID`, beginning an epoch if it is time.
    mutating func beginCommit(firstEventID: Int64, now: ContinuousClock.Instant = .now) {
        written = ScaleEncoder(reservingCapacity: 0)
        writtenCount = 0
        beginning = nil
        if let epochBegan, now - epochBegan < epochLength { return }
        receipts = [:]
        keys = [:]
        epochBegan = now
        beginning = Epoch(firstEventID: firstEventID, firstValueID: nextID)
    }

    /// The values the commit under way adds (none when `count` is 0).
    var writtenValues: Written {
        Written(firstID: nextID - Int64(writtenCount), count: writtenCount, bytes: written.bytes)
    }

    /// The commit under way is in the database.
    mutating func committed() {
        committedNextID = nextID
        beginning = nil
    }

    /// The commit under way failed: what it added is not in the database, so the next commit begins an epoch.
    mutating func rolledBack() {
        nextID = committedNextID
        receipts = [:]
        keys = [:]
        epochBegan = nil
        beginning = nil
    }

    /// The id of `receipt` (whose hash is `hash`) in this epoch, adding it if it has none.
    mutating func id(of receipt: CandidateReceipt, hash: CandidateHash) -> Int64 {
        if let id = receipts[hash] { return id }
        let id = add { $0.append(receipt) }
        receipts[hash] = id
        return id
    }

    /// The id of `key` in this epoch, adding it if it has none.
    mutating func id(of key: ValidatorId) -> Int64 {
        if let id = keys[key] { return id }
        let id = add { $0.append(key) }
        keys[key] = id
        return id
    }

    private mutating func add(_ encode: (inout ScaleEncoder) -> Void) -> Int64 {
        LengthPrefixed.append(to: &written, encode)
        writtenCount += 1
        defer { nextID += 1 }
        return nextID
    }

    /// The values of one `event_log_value` row, in order.
    /// - Throws: ``EventRecordError/missingValue(id:)`` (naming the row's first id) when the bytes are not
    ///   `count` values.
    static func values(in bytes: ArraySlice<UInt8>, count: Int, firstID: Int64) throws(EventRecordError)
        -> [ArraySlice<UInt8>]
    {
        var values: [ArraySlice<UInt8>] = []
        values.reserveCapacity(min(max(count, 0), bytes.count / 4))
        var offset = bytes.startIndex
        for index in 0..<max(count, 0) {
            guard let frame = LengthPrefixed.frame(in: bytes, at: offset) else {
                throw .missingValue(id: firstID + Int64(index))
            }
            values.append(bytes[frame])
            offset = frame.upperBound
        }
        return values
    }
}

/// Where a reader of records finds the values they refer to, decoding each receipt once.
final class EventValueSource {
    private let fetch: (Int64) throws -> ArraySlice<UInt8>?
    private var receipts: [Int64: (CandidateReceipt, CandidateHash)] = [:]

    /// - Parameter fetch: the bytes of the value with an id, `nil` when there is none.
    init(fetch: @escaping (Int64) throws -> ArraySlice<UInt8>?) {
        self.fetch = fetch
    }

    /// No values: for records that refer to none.
    static var none: EventValueSource { EventValueSource { _ in nil } }

    func receipt(_ id: UInt64) throws -> (CandidateReceipt, CandidateHash) {
        let id = try Self.valueID(id)
        if let known = receipts[id] { return known }
        var decoder = ScaleDecoder(try bytes(id))
        let receipt: CandidateReceipt = try decoder.read()
        try decoder.finish()
        receipts[id] = (receipt, receipt.hash)
        return (receipt, receipt.hash)
    }

    func key(_ id: UInt64) throws -> ValidatorId {
        var decoder = ScaleDecoder(try bytes(try Self.valueID(id)))
        let key: ValidatorId = try decoder.read()
        try decoder.finish()
        return key
    }

    private func bytes(_ id: Int64) throws -> ArraySlice<UInt8> {
        guard let bytes = try fetch(id) else { throw EventRecordError.missingValue(id: id) }
        return bytes
    }

    private static func valueID(_ id: UInt64) throws -> Int64 {
        guard let id = Int64(exactly: id) else { throw EventRecordError.missingValue(id: .max) }
        return id
    }
}
