import Backing
import CompactJSON
import Foundation
import HTTPServer
import Primitives
import Tracing

/// `POST /v1/statements` and `POST /v1/statements/batch`.
///
/// Signatures are checked before the job's actor is entered, so concurrent requests (and the entries of
/// a batch, spread over every core) verify in parallel; the actor then imports in order.
enum StatementRoutes {
    static func register(on router: inout Router, context: ServiceContext) {
        router.route(.post, "/v1/statements", mutating: true) { request in
            let body = try context.decode(StatementRequest.self, from: request)
            let ticket = try context.ticket()
            let job = try await context.job(body.relayParent)
            try checkValidationData(body, job: job)
            try await InstrumentationSystem.tracer.withSpan("verify signature") { _ in
                try await job.verifyGathered(body.statement)
            }
            let outcome = try await InstrumentationSystem.tracer.withSpan("import statement") { _ in
                try await job.receive(
                    body.statement, verified: true, persistedValidationData: body.persistedValidationData)
            }
            try await context.commitEvents(ticket)
            return .json(StatementResponse(outcome))
        }
        router.route(.post, "/v1/statements/batch", mutating: true) { request in
            let body = try await StatementBatchDecoding.decode(request.body)
            let ticket = try context.ticket()
            let job = try await context.job(body.relayParent)
            let validationData = Dictionary(
                (body.persistedValidationData ?? []).map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
            let checks = await InstrumentationSystem.tracer.withSpan("verify signatures") { span in
                if span.isRecording { span.attributes["backingd.statements"] = body.statements.count }
                return requireValidationData(
                    await verifyInParallel(body.statements, job: job), validationData, job: job)
            }
            // The checked statements are imported in one actor turn, in order; the rejected ones keep
            // their place in the answer as error entries.
            let accepted = checks.compactMap { try? $0.get() }
            var imported = await InstrumentationSystem.tracer.withSpan("import statements") { span in
                if span.isRecording { span.attributes["backingd.statements"] = accepted.count }
                return await job.receiveVerified(accepted, validationData: validationData)
            }.makeIterator()
            let results: [BatchResult] = checks.enumerated().map { index, check in
                switch check {
                case .failure(let refusal): .error(refusal.problem(entry: index))
                // Safe because: one outcome was produced per accepted statement, in the same order.
                case .success: .ok(StatementResponse(imported.next()!))
                }
            }
            try await context.commitEvents(ticket)
            return .json(BatchAnswer(results: results))
        }
    }

    /// A Seconded at an async-backing relay parent comes with the validation data its descriptor commits
    /// to (400 without it, 422 for other data).
    static func checkValidationData(_ body: StatementRequest, job: BackingJob) throws {
        guard job.asyncBacking != nil, case .seconded(let receipt) = body.statement.payload else { return }
        guard let data = body.persistedValidationData else {
            throw ProblemDetails.badRequest(
                "persistedValidationData: a Seconded statement at an async-backing relay parent needs it")
        }
        guard data.hash == receipt.descriptor.persistedValidationDataHash else {
            throw ProblemDetails.unprocessable(
                "persistedValidationData: does not hash to the descriptor's persistedValidationDataHash "
                    + "(\(data.hash), the descriptor has \(receipt.descriptor.persistedValidationDataHash))")
        }
    }

    /// At an async-backing relay parent every Seconded of a batch needs its validation data among the
    /// batch's `persistedValidationData` (matched by hash, as a single request's must match): an entry
    /// without it gets a 400 in its place, the others are imported.
    static func requireValidationData(
        _ checks: [Result<SignedFullStatement, BatchProblem>], _ validationData: [Hash: PersistedValidationData],
        job: BackingJob
    ) -> [Result<SignedFullStatement, BatchProblem>] {
        guard job.asyncBacking != nil else { return checks }
        return checks.enumerated().map { index, check in
            guard case .success(let statement) = check, case .seconded(let receipt) = statement.payload,
                validationData[receipt.descriptor.persistedValidationDataHash] == nil
            else { return check }
            return .failure(
                .rejected(
                    .badRequest(
                        "persistedValidationData: none hashes to statements[\(index)]'s persistedValidationDataHash "
                            + "\(receipt.descriptor.persistedValidationDataHash) (a Seconded statement at an "
                            + "async-backing relay parent needs its validation data)")))
        }
    }

    /// Decoding errors and signature checks for every entry: the well-formed entries are cut into one
    /// contiguous part per core, each checked as one batch verification.
    static func verifyInParallel(
        _ entries: [Lenient<SignedFullStatement>], job: BackingJob
    ) async -> [Result<SignedFullStatement, BatchProblem>] {
        var results = [Result<SignedFullStatement, BatchProblem>?](repeating: nil, count: entries.count)
        var wellFormed: [(index: Int, statement: SignedFullStatement)] = []
        for (index, entry) in entries.enumerated() {
            switch entry.result {
            case .failure(let error): results[index] = .failure(.malformed(error))
            case .success(let statement): wellFormed.append((index, statement))
            }
        }
        let answers = await inConcurrentParts(wellFormed) { part in
            zip(part, job.verify(part.map(\.statement))).map {
                entry, rejection -> (Int, Result<SignedFullStatement, BatchProblem>) in
                (
                    entry.index,
                    rejection.map { .failure(.rejected(ServiceProblem.from($0))) } ?? .success(entry.statement)
                )
            }
        }
        for (index, result) in answers.joined() { results[index] = result }
        // Safe because: every entry is either malformed or well-formed and answered by one part.
        return results.map { $0! }
    }
}

/// Why a batch entry was refused: it did not decode (the error's field is inside the entry), or it was
/// well-formed but rejected.
enum BatchProblem: Error {
    case malformed(JSONInputError)
    case rejected(ProblemDetails)

    /// The entry's problem, with a decoding error's field placed under `statements[i]`.
    func problem(entry index: Int) -> ProblemDetails {
        switch self {
        case .rejected(let problem):
            return problem
        case .malformed(let error):
            let entry = "statements[\(index)]"
            let field =
                error.field.isEmpty
                ? entry : error.field.hasPrefix("[") ? entry + error.field : "\(entry).\(error.field)"
            return .badRequest(JSONInputError(field: field, reason: error.reason).description)
        }
    }
}

/// The answer to a batch: `{"results": [...]}`, one entry per statement, in order.
struct BatchAnswer: JSONWritable {
    let results: [BatchResult]

    func writeJSON(to writer: inout JSONWriter) throws {
        try writer.object { writer in
            writer.field("results")
            try writer.array(results) { writer, result in try result.writeJSON(to: &writer) }
        }
    }
}

/// One entry of a batch answer: the single-statement answer, or `{"error": problem}`.
enum BatchResult: JSONWritable {
    case ok(StatementResponse)
    case error(ProblemDetails)

    func writeJSON(to writer: inout JSONWriter) throws {
        switch self {
        case .ok(let response): response.writeJSON(to: &writer)
        case .error(let problem):
            try writer.object { writer in
                writer.field("error")
                try writer.encodable(problem)
            }
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .ok(let response): try response.encode(to: encoder)
        case .error(let problem):
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            try container.encode(problem, forKey: AnyCodingKey("error"))
        }
    }
}
