public import Tracing

/// Request headers as the carrier the process's instrument reads `traceparent` and `tracestate` from.
public struct HTTPHeadersExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: HTTPHeaders) -> String? { carrier[key] }
}

extension ServerContext {
    /// Answers `request` inside a server span whose parent is the caller's trace context (W3C `traceparent`
    /// and `tracestate`, read by the bootstrapped instrument; a missing or invalid header starts a new trace).
    /// The span is named `METHOD route` once the router has chosen the route. With no tracer bootstrapped
    /// (the default), the span is a no-op and the extracted context, if any, is still what the handler's
    /// task carries, so what the request causes carries the caller's `traceparent` on.
    func respondTraced(to request: HTTPRequest, with responder: some HTTPResponder) async -> HTTPResponse {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &context, using: HTTPHeadersExtractor())
        return await InstrumentationSystem.tracer.withSpan(
            request.method.rawValue, context: context, ofKind: .server
        ) { span in
            let response = await responder.respond(to: request)
            if span.isRecording {
                let route = response.routePattern ?? Router.unmatchedRoute
                span.operationName = "\(request.method.rawValue) \(route)"
                span.updateAttributes { attributes in
                    attributes["http.request.method"] = request.method.rawValue
                    attributes["http.route"] = route
                    attributes["url.path"] = request.path
                    attributes["http.response.status_code"] = response.status
                }
                // OpenTelemetry's HTTP convention: a server span is an error for 5xx only.
                if response.status >= 500 { span.setStatus(SpanStatus(code: .error)) }
            }
            return response
        }
    }
}
