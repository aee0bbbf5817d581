import Backing
import HTTPServer
import Primitives

/// `POST /v1/second`, `POST /v1/backed-candidates`, `GET /v1/povs/{hash}`, `GET /v1/availability/{hash}`.
enum CandidateRoutes {
    static func register(on router: inout Router, context: ServiceContext) {
        router.route(.post, "/v1/second", mutating: true) { request in
            let body = try context.decode(SecondRequest.self, from: request)
            let ticket = try context.ticket()
            let job = try await context.job(body.relayParent)
            let outcome = await job.second(body.candidate, pov: body.pov)
            try await context.commitEvents(ticket)
            return .json(outcome, status: 202)
        }
        router.route(.post, "/v1/backed-candidates") { request in
            let body = try context.decode(BackedCandidatesRequest.self, from: request)
            let ticket = try context.ticket()
            let job = try await context.job(body.relayParent)
            let backed = await job.backedCandidates(body.candidateHashes)
            // Our signatures in the answer were journaled in the step that made them; no signature leaves
            // before its signing record is durable.
            try await context.commitEvents(ticket)
            return .json(["backedCandidates": backed])
        }
        router.route(.get, "/v1/povs/{candidateHash}", accepts: nil) { request in
            let hash = try context.hashParameter(request, "candidateHash")
            guard let stored = await context.availability.availableData(for: hash) else {
                throw ProblemDetails.notFound(
                    "no PoV for candidate \(hash): this node neither seconded nor validated it")
            }
            return .json(stored.data.pov)
        }
        router.route(.get, "/v1/availability/{candidateHash}", accepts: nil) { request in
            let hash = try context.hashParameter(request, "candidateHash")
            guard let stored = await context.availability.availableData(for: hash) else {
                throw ProblemDetails.notFound("no available data for candidate \(hash)")
            }
            return .json(
                AvailabilityResponse(
                    candidateHash: hash, nValidators: stored.nValidators, availableData: stored.data,
                    erasureRoot: stored.erasureRoot))
        }
    }
}
