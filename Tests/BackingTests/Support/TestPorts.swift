import Backing
import Primitives
import Synchronization

/// Records every outgoing message, in order, as the seed's test harness reads its channel.
final class RecordingSink: OutboundMessageSink {
    let messages = AsyncQueue<OutboundMessage>()
    private let all = Mutex<[OutboundMessage]>([])

    private let records = Mutex<[JournalRecord]>([])

    func submit(_ batch: [OutboundMessage], journal: [JournalRecord]) {
        records.withLock { $0 += journal }
        all.withLock { $0 += batch }
        for message in batch { messages.push(message) }
    }

    /// Every journal record submitted so far, in order.
    var journal: [JournalRecord] { records.withLock { $0 } }

    func flush() async {}

    /// Every message submitted so far.
    var history: [OutboundMessage] { all.withLock { $0 } }

    /// The next message, or `nil` after the time limit.
    func next() async -> OutboundMessage? { await messages.next() }
}

/// A validator whose answers the test gives, one request at a time, as the seed's tests answer
/// `ValidateFromChainState` (test double allowed: the original scripted these answers).
final class ScriptedValidator: CandidateValidator {
    struct Call: Sendable {
        let request: ValidationRequest
        let reply: @Sendable (ValidationOutcome) -> Void
    }

    let calls = AsyncQueue<Call>()

    func validate(_ request: ValidationRequest) async -> ValidationOutcome {
        await withCheckedContinuation { continuation in
            let once = Mutex(false)
            calls.push(
                Call(request: request) { outcome in
                    let first = once.withLock { done in
                        defer { done = true }
                        return !done
                    }
                    if first { continuation.resume(returning: outcome) }
                })
        }
    }
}

/// A PoV fetcher whose answers the test gives (the seed's tests answer or drop `FetchPoV`).
final class ScriptedPoVFetcher: PoVFetcher {
    struct Call: Sendable {
        let relayParent: Hash
        let validator: ValidatorIndex
        let candidateHash: CandidateHash
        let povHash: Hash
        let reply: @Sendable (PoV?) -> Void
    }

    struct Dropped: Error {}

    let calls = AsyncQueue<Call>()

    func fetchPoV(
        relayParent: Hash, from validator: ValidatorIndex, validatorKey: ValidatorId, candidateHash: CandidateHash,
        povHash: Hash
    ) async throws -> PoV {
        let pov: PoV? = await withCheckedContinuation { continuation in
            calls.push(
                Call(relayParent: relayParent, validator: validator, candidateHash: candidateHash, povHash: povHash) {
                    continuation.resume(returning: $0)
                })
        }
        guard let pov else { throw Dropped() }
        return pov
    }
}
