import Backing
import HTTPServer
import Primitives

/// `POST /v1/leaves`, `GET /v1/leaves`, `GET|DELETE /v1/leaves/{hash}`: activating leaves (with the
/// runtime's answers) and looking at their jobs.
enum LeavesRoutes {
    static func register(on router: inout Router, context: ServiceContext) {
        router.route(.post, "/v1/leaves", mutating: true) { request in
            let leaf = try context.decode(Leaf.self, from: request)
            let job = try await context.subsystem.activate(leaf)
            return .json(await job.state(), status: 201)
        }
        router.route(.get, "/v1/leaves", accepts: nil) { _ in
            var states: [LeafState] = []
            for job in await context.subsystem.activeJobs { states.append(await job.state()) }
            return .json(states)
        }
        router.route(.get, "/v1/leaves/{hash}", accepts: nil) { request in
            let job = try await context.job(context.hashParameter(request, "hash"))
            return .json(await job.state())
        }
        router.route(.delete, "/v1/leaves/{hash}", accepts: nil, mutating: true) { request in
            try await context.subsystem.deactivate(context.hashParameter(request, "hash"))
            return .noContent()
        }
    }
}
