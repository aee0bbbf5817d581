/// An RFC 9457 problem document, the body of every error answer (`application/problem+json`).
///
/// `ProblemDetails` is itself an ``HTTPError``: a handler can `throw ProblemDetails.notFound("…")`.
public struct ProblemDetails: Error, Codable, Sendable, Equatable {
    /// A URI naming the kind of problem, e.g. `urn:backingd:problem:not-found` (or `about:blank`).
    public var type: String
    /// A short summary of the kind of problem, the same for every occurrence (e.g. "Not Found").
    public var title: String
    /// The HTTP status code of the answer.
    public var status: Int
    /// A human sentence about this occurrence, naming the field or resource at fault.
    public var detail: String

    public init(type: String = "about:blank", title: String, status: Int, detail: String) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
    }

    /// A problem whose type is `urn:backingd:problem:<slug>`.
    public init(slug: String, title: String, status: Int, detail: String) {
        self.init(type: "urn:backingd:problem:\(slug)", title: title, status: status, detail: detail)
    }
}

extension ProblemDetails: HTTPError {
    public var problem: ProblemDetails { self }
}

extension ProblemDetails {
    /// 400: the request is malformed (bad JSON, a field of the wrong shape).
    public static func badRequest(_ detail: String) -> ProblemDetails {
        ProblemDetails(slug: "bad-request", title: "Bad Request", status: 400, detail: detail)
    }

    /// 401: a mutating request without the right bearer token.
    public static func unauthorized(_ detail: String = "This request needs a valid bearer token.") -> ProblemDetails {
        ProblemDetails(slug: "unauthorized", title: "Unauthorized", status: 401, detail: detail)
    }

    /// 404: no such resource.
    public static func notFound(_ detail: String) -> ProblemDetails {
        ProblemDetails(slug: "not-found", title: "Not Found", status: 404, detail: detail)
    }

    /// 405: the resource exists but not with this method.
    public static func methodNotAllowed(_ detail: String) -> ProblemDetails {
        ProblemDetails(slug: "method-not-allowed", title: "Method Not Allowed", status: 405, detail: detail)
    }

    /// 409: the request conflicts with the current state.
    public static func conflict(_ detail: String) -> ProblemDetails {
        ProblemDetails(slug: "conflict", title: "Conflict", status: 409, detail: detail)
    }

    /// 413: the body is larger than the server accepts.
    public static func contentTooLarge(limit: Int) -> ProblemDetails {
        ProblemDetails(
            slug: "content-too-large", title: "Content Too Large", status: 413,
            detail: "The request body is larger than the limit of \(limit) bytes.")
    }

    /// 415: the body's media type is not one this endpoint reads.
    public static func unsupportedMediaType(_ detail: String) -> ProblemDetails {
        ProblemDetails(slug: "unsupported-media-type", title: "Unsupported Media Type", status: 415, detail: detail)
    }

    /// 422: well-formed but rejected (bad signature, index out of bounds, hash mismatch).
    public static func unprocessable(_ detail: String) -> ProblemDetails {
        ProblemDetails(slug: "unprocessable", title: "Unprocessable Content", status: 422, detail: detail)
    }

    /// 500: something failed inside the server; says nothing about what.
    public static let internalError = ProblemDetails(
        slug: "internal-error", title: "Internal Server Error", status: 500,
        detail: "The server could not complete the request because of an internal error.")

    /// 503: the server is shutting down or overloaded.
    public static func unavailable(_ detail: String) -> ProblemDetails {
        ProblemDetails(slug: "unavailable", title: "Service Unavailable", status: 503, detail: detail)
    }
}
