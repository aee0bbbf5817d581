import Backing
import ErasureCoding
public import HTTPServer
import Primitives

/// Problems the API answers with (RFC 9457), one place for the mapping from domain errors to HTTP.
struct ServiceProblem: HTTPError {
    let problem: ProblemDetails

    init(status: Int, title: String, detail: String, type: String) {
        problem = ProblemDetails(type: "urn:backingd:problem:\(type)", title: title, status: status, detail: detail)
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

extension JSONInputError: HTTPError {
    public var problem: ProblemDetails { ServiceProblem.badRequest(description).problem }
}

extension LeafError: HTTPError {
    public var problem: ProblemDetails {
        switch self {
        case .unknownLeaf: ServiceProblem.notFound(description).problem
        case .alreadyActive: ServiceProblem.conflict(description).problem
        case .invalidRuntimeData: ServiceProblem.unprocessable(description).problem
        }
    }
}

extension StatementRejection: HTTPError {
    public var problem: ProblemDetails { ServiceProblem.unprocessable(description).problem }
}

extension ErasureCodingError: HTTPError {
    public var problem: ProblemDetails { ServiceProblem.unprocessable(description).problem }
}
