import Backing
import Foundation
import HTTPServer
import Primitives
import Tracing
import Validation
import Webhooks

/// What the route handlers share: the engine, the outbox, the stores.
struct ServiceContext: Sendable {
    /// Reached through ``engine()``, which keeps the routes out while the leaves are being restored.
    private let subsystem: BackingSubsystem
    let outbox: WebhookOutbox
    let availability: any AvailabilityStore
    let validationCode: any ValidationCodeStore
    let readiness: Readiness
    /// The open `GET /v1/events` streams.
    let eventStreams: EventStreams
    let metricsText: @Sendable () -> [UInt8]
    let openAPI: [UInt8]

    /// Decodes a JSON body (its strict form first, where the type has one), naming the bad field in a
    /// 400 problem.
    func decode<T: Decodable>(_ type: T.Type, from request: HTTPRequest) throws -> T {
        try JSONInput.decode(T.self, from: request.body)
    }

    init(
        subsystem: BackingSubsystem, outbox: WebhookOutbox, availability: any AvailabilityStore,
        validationCode: any ValidationCodeStore, readiness: Readiness, eventStreams: EventStreams,
        metricsText: @escaping @Sendable () -> [UInt8], openAPI: [UInt8]
    ) {
        self.subsystem = subsystem
        self.outbox = outbox
        self.availability = availability
        self.validationCode = validationCode
        self.readiness = readiness
        self.eventStreams = eventStreams
        self.metricsText = metricsText
        self.openAPI = openAPI
    }

    /// The engine, or a 503 problem with `Retry-After` until the journal's leaves are restored (or, after
    /// a storage failure, rebuilt).
    func engine() throws -> BackingSubsystem {
        _ = try ticket()
        return subsystem
    }

    /// The ticket of a request that changes the engine (or answers with our signatures): taken before it
    /// touches the engine, handed to ``commitEvents(_:)``.
    /// - Throws: a 503 problem with `Retry-After` while the node is not ready.
    func ticket() throws -> Readiness.Ticket { try readiness.ticket(outboxFailures: outbox.failureCount) }

    /// The job of the active leaf `hash`, or a 404 problem (503 while the leaves are being restored).
    func job(_ hash: Hash) async throws -> BackingJob {
        try await engine().job(hash)
    }

    /// A 32-byte hash from a path parameter, or a 400 problem.
    func hashParameter(_ request: HTTPRequest, _ name: String) throws -> Hash {
        guard let text = request.pathParameters[name], let hash = H256(hex: text) else {
            throw ProblemDetails.badRequest("\(name): expected 0x followed by 64 hex digits")
        }
        return hash
    }

    /// Makes every web-hook event and journal record caused by a request durable before the request is
    /// answered.
    /// - Throws: a 503 problem with `Retry-After` when the outbox failed, now or since `ticket` was taken,
    ///   or a rebuild of the engine began since (what the request did may have been dropped or undone).
    /// Runs in a span `commit outbox`: the group commit this request waits for.
    func commitEvents(_ ticket: Readiness.Ticket) async throws {
        try await InstrumentationSystem.tracer.withSpan("commit outbox") { _ in
            do throws(StorageFailure) {
                try await outbox.flush()
            } catch {
                throw StorageFailureProblem(error)
            }
        }
        guard readiness.isCurrent(ticket, outboxFailures: outbox.failureCount) else {
            throw StorageFailureProblem(interruptedBy: readiness.reason)
        }
    }
}
