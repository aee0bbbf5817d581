import Backing
import HTTPServer
import Primitives

/// `POST /v1/leaves`, `GET /v1/leaves`, `GET|DELETE /v1/leaves/{hash}`: activating leaves (with the
/// runtime's answers) and looking at their jobs.
enum LeavesRoutes {
    static func register(on router: inout Router, context: ServiceContext) {
        router.route(.post, "/v1/leaves", mutating: true) { request in
            let leaf = try context.decode(Leaf.self, from: request)
            let ticket = try context.ticket()
            // The same runtime data again (a harness re-posting after a restart) finds the leaf as it is.
            let (job, created) = try await context.engine().activation(of: leaf)
            try await context.commitEvents(ticket)
            return .json(await job.state(), status: created ? 201 : 200)
        }
        router.route(.get, "/v1/leaves", accepts: nil) { _ in
            var states: [LeafState] = []
            for job in try await context.engine().activeJobs { states.append(await job.state()) }
            return .json(states)
        }
        router.route(.get, "/v1/leaves/{hash}", accepts: nil) { request in
            let job = try await context.job(context.hashParameter(request, "hash"))
            return .json(await job.state())
        }
        router.route(.delete, "/v1/leaves/{hash}", accepts: nil, mutating: true) { request in
            let hash = try context.hashParameter(request, "hash")
            let ticket = try context.ticket()
            try await context.engine().deactivate(hash)
            try await context.commitEvents(ticket)
            return .noContent()
        }
    }
}
