import Backing
import HTTPServer
import Primitives
import Tracing

/// `POST /v1/second`, `POST /v1/backed-candidates`, `GET /v1/povs/{hash}`, `GET /v1/availability/{hash}`.
enum CandidateRoutes {
    static func register(on router: inout Router, context: ServiceContext) {
        router.route(.post, "/v1/second", mutating: true) { request in
            let body = try context.decode(SecondRequest.self, from: request)
            let ticket = try context.ticket()
            let job = try await context.job(body.relayParent)
            if job.asyncBacking != nil, body.persistedValidationData == nil {
                throw ProblemDetails.badRequest(
                    "persistedValidationData: required at an async-backing relay parent (\(body.relayParent))")
            }
            let outcome = await InstrumentationSystem.tracer.withSpan("second candidate") { _ in
                await job.second(body.candidate, pov: body.pov, persistedValidationData: body.persistedValidationData)
            }
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
        router.route(.post, "/v1/backable-candidates") { request in
            let body = try context.decode(BackableCandidatesRequest.self, from: request)
            let ticket = try context.ticket()
            let engine = try context.engine()
            var chains: [ParaId: [(candidateHash: CandidateHash, relayParent: Hash)]] = [:]
            if let leaf = body.leaf {
                guard await engine.isAsyncBackingLeaf(leaf) else {
                    throw ProblemDetails.notFound("no active async-backing leaf \(leaf)")
                }
                for (para, want) in body.paras ?? [:] {
                    chains[para] = engine.asyncBacking.backableCandidates(
                        leaf: leaf, para: para, count: want.count, ancestors: Set(want.ancestors ?? []))
                }
            } else {
                for (para, entries) in body.candidates ?? [:] {
                    chains[para] = entries.map { ($0.candidateHash, $0.relayParent) }
                }
            }
            let backed = await engine.backableCandidates(chains)
            // Our signatures in the answer were journaled in the step that made them; none leaves before
            // its signing record is durable.
            try await context.commitEvents(ticket)
            return .json(BackableCandidatesResponse(backed))
        }
        router.route(.post, "/v1/can-second") { request in
            let body = try context.decode(CanSecondRequest.self, from: request)
            let answer = try await context.engine().canSecond(
                para: body.paraId, relayParent: body.relayParent, candidateHash: body.candidateHash,
                parentHeadDataHash: body.parentHeadDataHash)
            return .json(["canSecond": answer])
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
