import Backing
import ErasureCoding
import HTTPServer
import Primitives

/// Problems the API answers with (RFC 9457), one place for the mapping from domain errors to HTTP.
struct ServiceProblem: HTTPError {
    let problem: ProblemDetails

    init(status: Int, title: String, detail: String, type: String) {
        let uri = type.contains(":") ? type : "urn:backingd:problem:\(type)"
        problem = ProblemDetails(type: uri, title: title, status: status, detail: detail)
    }

    static func badRequest(_ detail: String) -> ServiceProblem {
        ServiceProblem(status: 400, title: "Bad Request", detail: detail, type: "bad-request")
    }

    static func notFound(_ detail: String) -> ServiceProblem {
        ServiceProblem(status: 404, title: "Not Found", detail: detail, type: "not-found")
    }

    static func conflict(_ detail: String) -> ServiceProblem {
        ServiceProblem(status: 409, title: "Conflict", detail: detail, type: "conflict")
    }

    static func unprocessable(_ detail: String) -> ServiceProblem {
        ServiceProblem(status: 422, title: "Unprocessable Content", detail: detail, type: "unprocessable")
    }

    static func unavailable(_ detail: String) -> ServiceProblem {
        ServiceProblem(status: 503, title: "Service Unavailable", detail: detail, type: "unavailable")
    }
}

extension ServiceProblem {
    /// The problem for an error thrown by the engine or a decoder: domain errors get their status
    /// (400 bad input, 404 unknown leaf, 409 already active, 422 rejected); anything else is not ours to
    /// explain and becomes a 500 without internals.
    static func from(_ error: any Error) -> ServiceProblem {
        switch error {
        case let problem as ServiceProblem: problem
        case let error as JSONInputError: .badRequest(error.description)
        case let error as LeafError:
            switch error {
            case .unknownLeaf: .notFound(error.description)
            case .alreadyActive: .conflict(error.description)
            case .invalidRuntimeData: .unprocessable(error.description)
            }
        case let error as StatementRejection: .unprocessable(error.description)
        case let error as ErasureCodingError: .unprocessable(error.description)
        case let error as any HTTPError:
            ServiceProblem(
                status: error.problem.status, title: error.problem.title, detail: error.problem.detail,
                type: error.problem.type)
        default: ServiceProblem(status: 500, title: "Internal Server Error", detail: "internal error", type: "internal")
        }
    }
}

extension Router {
    /// Registers a route whose domain errors are answered as problems (see ``ServiceProblem/from(_:)``).
    mutating func route(
        _ method: HTTPMethod, _ pattern: String, accepts: [String]? = ["application/json"], mutating: Bool = false,
        _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) {
        add(method, pattern, accepts: accepts, mutating: mutating) { request in
            do {
                return try await handler(request)
            } catch {
                throw ServiceProblem.from(error)
            }
        }
    }
}
