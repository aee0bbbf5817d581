import Backing
import Foundation
import HTTPServer
import Primitives
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
    let metricsText: @Sendable () -> [UInt8]
    let openAPI: [UInt8]

    /// Decodes a JSON body (its strict form first, where the type has one), naming the bad field in a
    /// 400 problem.
    func decode<T: Decodable>(_ type: T.Type, from request: HTTPRequest) throws -> T {
        try JSONInput.decode(T.self, from: request.body)
    }

    init(
        subsystem: BackingSubsystem, outbox: WebhookOutbox, availability: any AvailabilityStore,
        validationCode: any ValidationCodeStore, readiness: Readiness, metricsText: @escaping @Sendable () -> [UInt8],
        openAPI: [UInt8]
    ) {
        self.subsystem = subsystem
        self.outbox = outbox
        self.availability = availability
        self.validationCode = validationCode
        self.readiness = readiness
        self.metricsText = metricsText
        self.openAPI = openAPI
    }

    /// The engine, or a 503 problem with `Retry-After` until the journal's leaves are restored.
    func engine() throws -> BackingSubsystem {
        guard readiness.isReady else { throw RestoringProblem() }
        return subsystem
    }

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

    /// Makes every web-hook event caused by a request durable before the request is answered.
    func commitEvents() async { await outbox.flush() }
}
