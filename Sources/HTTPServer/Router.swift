public import Logging

/// Dispatches requests to handlers by method and path pattern, and answers the protocol errors itself.
///
/// Checks run in this order: 404 (no pattern matches and there is no fallback), 405 with `Allow` (the path
/// exists but not with this method), 401 with `WWW-Authenticate: Bearer` (a mutating route without the
/// configured token), 415 (a body whose media type the route does not accept), then the handler. A handler
/// that throws an ``HTTPError`` answers with its problem; any other error is logged and answered with a 500
/// that says nothing about it. `HEAD` is served by the `GET` handler when there is no `HEAD` route (MHD
/// leaves the body out).
public struct Router: HTTPResponder {
    private var table: [Route] = []
    private var fallbackHandler: (@Sendable (HTTPRequest) async throws -> HTTPResponse)?
    private let token: BearerToken?
    private let logger: Logger

    /// The label ``HTTPResponse/routePattern`` carries for answers from the fallback or for unknown paths.
    public static let unmatchedRoute = "unmatched"

    /// Creates an empty router.
    /// - Parameters:
    ///   - authToken: when set, routes added with `mutating: true` require `Authorization: Bearer <authToken>`.
    ///   - logger: where errors thrown by handlers (other than ``HTTPError``s) are logged.
    public init(authToken: String? = nil, logger: Logger = Logger(label: "backingd.http.router")) {
        self.token = authToken.map(BearerToken.init)
        self.logger = logger
    }

    /// Adds a route.
    /// - Parameters:
    ///   - method: the method it answers.
    ///   - pattern: a path like `/v1/leaves/{hash}`; each `{name}` segment matches one path segment, which the
    ///     handler finds in ``HTTPRequest/pathParameters``.
    ///   - accepts: the media types a request body may have (parameters such as `charset` and case are
    ///     ignored); `nil` accepts any. Requests without a body are never refused for their content type.
    ///   - mutating: whether the route changes state, and so needs the bearer token when one is configured.
    ///   - inline: whether the handler may start on the ``HTTPServer``'s libmicrohttpd thread, which then answers
    ///     at once if the handler returns without suspending, saving the connection's suspend and resume and a
    ///     thread hop (about six system calls per request). Only for handlers that do little (a few
    ///     microseconds) before they return or first suspend (e.g. on an actor): that thread serves other
    ///     connections and must not block on I/O or long computation. Other requests, including those this
    ///     router answers itself (404, 405, …), start on the global executor.
    ///   - handler: runs in a Swift task; may throw an ``HTTPError``.
    public mutating func add(
        _ method: HTTPMethod, _ pattern: String, accepts: [String]? = ["application/json"], mutating: Bool = false,
        inline: Bool = false, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) {
        table.append(
            Route(
                method: method, pattern: pattern, accepts: accepts, mutating: mutating, inline: inline,
                handler: handler))
    }

    /// Every route as registered, in order (for checking them against the OpenAPI document).
    public var routes: [(method: HTTPMethod, pattern: String)] { table.map { ($0.method, $0.pattern) } }

    /// Sets the handler for requests whose path matches no route (instead of a 404), e.g. ``StaticFiles``.
    public mutating func fallback(_ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        fallbackHandler = handler
    }

    /// Sets a responder (e.g. ``StaticFiles``) for requests whose path matches no route.
    public mutating func fallback(_ responder: some HTTPResponder) {
        fallbackHandler = { request in await responder.respond(to: request) }
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        let components = Route.pathComponents(request.path)
        let (pathExists, chosen) = select(request, components)
        guard pathExists else {
            guard let fallbackHandler else {
                return answer(ProblemDetails.notFound("There is no resource at \(request.path)."), Self.unmatchedRoute)
            }
            return await run(fallbackHandler, request, pattern: Self.unmatchedRoute)
        }
        guard let (route, parameters) = chosen else {
            let matches = table.filter { $0.match(components) != nil }
            return answer(MethodNotAllowed(path: request.path, allowed: matches.map(\.method)), matches[0].pattern)
        }
        if route.mutating, let token, !token.accepts(request.headers["authorization"]) {
            return answer(Unauthorized(), route.pattern)
        }
        if let accepts = route.accepts, request.hasBody {
            let mediaType = request.mediaType
            if !accepts.contains(mediaType ?? "") {
                let named = mediaType.map { "“\($0)”" } ?? "no content type"
                let detail =
                    "A body with \(named) is not accepted here; use \(accepts.sorted().joined(separator: " or "))."
                return answer(ProblemDetails.unsupportedMediaType(detail), route.pattern)
            }
        }
        var routed = request
        routed.pathParameters = parameters
        return await run(route.handler, routed, pattern: route.pattern)
    }

    /// Whether `request` goes to a route added with `inline: true`, whose handler may start on the server's
    /// thread (costs one more match of the path against the table).
    func routesInline(_ request: HTTPRequest) -> Bool {
        select(request, Route.pathComponents(request.path)).chosen?.route.inline ?? false
    }

    /// One pass over the table: whether any route matches the path, and the best match for the method (for
    /// HEAD without a HEAD route, for GET); among equally specific matches the first registered wins.
    private func select(
        _ request: HTTPRequest, _ components: [Substring]
    ) -> (pathExists: Bool, chosen: (route: Route, parameters: [String: String])?) {
        var pathExists = false
        var chosen: (route: Route, parameters: [String: String])?
        var chosenForGet: (route: Route, parameters: [String: String])?
        for route in table {
            guard let parameters = route.match(components) else { continue }
            pathExists = true
            if route.method == request.method {
                if chosen.map({ route.specificity > $0.route.specificity }) ?? true { chosen = (route, parameters) }
            } else if request.method == .head, route.method == .get {
                if chosenForGet.map({ route.specificity > $0.route.specificity }) ?? true {
                    chosenForGet = (route, parameters)
                }
            }
        }
        return (pathExists, chosen ?? chosenForGet)
    }

    private func run(
        _ handler: @Sendable (HTTPRequest) async throws -> HTTPResponse, _ request: HTTPRequest, pattern: String
    ) async -> HTTPResponse {
        var response: HTTPResponse
        do {
            response = try await handler(request)
        } catch let error as any HTTPError {
            response = .error(error)
        } catch {
            logger.error(
                "handler failed",
                metadata: [
                    "method": "\(request.method)", "route": "\(pattern)", "error": "\(String(reflecting: error))",
                ])
            response = .problem(.internalError)
        }
        if response.routePattern == nil { response.routePattern = pattern }
        return response
    }

    private func answer(_ error: some HTTPError, _ pattern: String) -> HTTPResponse {
        var response = HTTPResponse.error(error)
        response.routePattern = pattern
        return response
    }
}

/// 405 with the `Allow` header listing the methods the path has (plus `HEAD` where there is a `GET`).
struct MethodNotAllowed: HTTPError {
    let path: String
    let allowed: [HTTPMethod]

    var allowHeader: String {
        var methods = Set(allowed.map(\.rawValue))
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted().joined(separator: ", ")
    }

    var problem: ProblemDetails { .methodNotAllowed("\(path) allows \(allowHeader).") }
    var headers: HTTPHeaders { ["Allow": allowHeader] }
}

/// 401 with `WWW-Authenticate: Bearer`.
struct Unauthorized: HTTPError {
    var problem: ProblemDetails { .unauthorized("This request changes state and needs a valid bearer token.") }
    var headers: HTTPHeaders { ["WWW-Authenticate": "Bearer"] }
}
