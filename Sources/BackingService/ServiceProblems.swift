import Backing
import ErasureCoding
import HTTPServer
import Primitives

/// One place for the mapping from domain errors to HTTP problems (RFC 9457), built on `HTTPServer`'s
/// ready-made ``ProblemDetails``.
enum ServiceProblem {
    /// The problem for an error thrown by the engine or a decoder: domain errors get their status
    /// (400 bad input, 404 unknown leaf, 409 already active, 422 rejected); anything else is not ours to
    /// explain and becomes a 500 without internals.
    static func from(_ error: any Error) -> ProblemDetails {
        switch error {
        case let error as JSONInputError: .badRequest(error.description)
        case let error as LeafError:
            switch error {
            case .unknownLeaf: .notFound(error.description)
            case .alreadyActive: .conflict(error.description)
            case .invalidRuntimeData: .unprocessable(error.description)
            }
        case let error as StatementRejection: .unprocessable(error.description)
        case let error as ErasureCodingError: .unprocessable(error.description)
        case let error as any HTTPError: error.problem
        default: .internalError
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
            } catch let error as any HTTPError {
                throw error
            } catch let failure as StorageFailure {
                throw StorageFailureProblem(failure)
            } catch {
                throw ServiceProblem.from(error)
            }
        }
    }
}
