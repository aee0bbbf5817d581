public import Tracing

/// An async HTTP client over libcurl's multi interface.
///
/// Concurrency: all transfers of one client run on a single dedicated thread that waits in
/// `curl_multi_poll`; ``send(_:)`` suspends the calling task (it never blocks a Swift-concurrency
/// thread) and is resumed from that thread when the transfer ends. Connections are kept alive and
/// reused between requests to the same host. Call ``shutdown()`` when done; `deinit` does it too.
public final class CurlClient: Sendable {
    private let loop: CurlLoop

    /// Starts the client's thread.
    /// - Parameter maxConnections: the most connections open at once, over all hosts.
    public init(maxConnections: Int = 64) {
        loop = CurlLoop(maxConnections: maxConnections)
    }

    deinit { loop.stop() }

    /// Performs `request` and returns the response, whatever its status.
    ///
    /// The request carries the calling task's trace context (`traceparent`, `tracestate`, written by the
    /// bootstrapped instrument) unless it names a `traceparent` itself.
    ///
    /// Cancelling the calling task removes the transfer and throws ``CurlError/Kind/cancelled``.
    /// - Throws: ``CurlError`` on a transport failure (refused, timed out, …), a body over the cap,
    ///   cancellation, or after ``shutdown()``.
    public func send(_ request: CurlRequest) async throws(CurlError) -> CurlResponse {
        var request = request
        if let context = ServiceContext.current,
            !request.headers.contains(where: { $0.0.lowercased() == "traceparent" })
        {
            InstrumentationSystem.instrument.inject(context, into: &request.headers, using: HeaderPairsInjector())
        }
        let id = loop.makeId()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                loop.submit(request, id: id) { continuation.resume(returning: $0) }
            }
        } onCancel: {
            loop.cancel(id)
        }
        return try result.get()
    }

    /// ``send(_:)`` inside a client span called `name` (a child of the calling task's span), so the request
    /// carries that span's `traceparent`; the span records the method, URL and status.
    public func send(_ request: CurlRequest, span name: String) async throws(CurlError) -> CurlResponse {
        let result = await InstrumentationSystem.tracer.withSpan(name, ofKind: .client) {
            span -> Result<CurlResponse, CurlError> in
            let result: Result<CurlResponse, CurlError>
            do throws(CurlError) {
                result = .success(try await send(request))
            } catch {
                result = .failure(error)
            }
            if span.isRecording {
                span.attributes["http.request.method"] = request.method
                span.attributes["url.full"] = request.url
                switch result {
                case .success(let response):
                    span.attributes["http.response.status_code"] = response.status
                    if response.status >= 400 { span.setStatus(SpanStatus(code: .error)) }
                case .failure(let error):
                    span.setStatus(SpanStatus(code: .error, message: error.description))
                }
            }
            return result
        }
        return try result.get()
    }

    /// Starts `request` without a task: `completion` gets the outcome exactly once, on the client's
    /// thread, and must return quickly (every transfer of this client waits for it). For callers that
    /// chain requests (the web-hook lanes), this saves a hop to a Swift-concurrency thread per request.
    /// - Returns: the request's id, for ``cancel(_:)``.
    @discardableResult
    public func start(
        _ request: CurlRequest, completion: @escaping @Sendable (Result<CurlResponse, CurlError>) -> Void
    ) -> UInt64 {
        let id = loop.makeId()
        loop.submit(request, id: id, complete: completion)
        return id
    }

    /// Abandons a request started with ``start(_:completion:)``: its completion gets
    /// ``CurlError/Kind/cancelled`` unless it has already finished.
    public func cancel(_ id: UInt64) {
        loop.cancel(id)
    }

    /// Fails the requests in flight with ``CurlError/Kind/shutdown`` and stops the thread. Does not
    /// wait for the thread to end.
    public func shutdown() {
        loop.stop()
    }
}

/// Header pairs (``CurlRequest/headers``) as the carrier the process's instrument writes `traceparent` into.
public struct HeaderPairsInjector: Injector {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout [(String, String)]) {
        carrier.append((key, value))
    }
}

/// Header pairs as the carrier the process's instrument reads a stored `traceparent` from.
public struct HeaderPairsExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: [(String, String)]) -> String? {
        carrier.last { $0.0.lowercased() == key }?.1
    }
}
