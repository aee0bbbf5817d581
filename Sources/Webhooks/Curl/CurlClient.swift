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
    /// Cancelling the calling task removes the transfer and throws ``CurlError/Kind/cancelled``.
    /// - Throws: ``CurlError`` on a transport failure (refused, timed out, …), a body over the cap,
    ///   cancellation, or after ``shutdown()``.
    public func send(_ request: CurlRequest) async throws(CurlError) -> CurlResponse {
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
