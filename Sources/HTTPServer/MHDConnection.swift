import CMicroHTTPD
import CShims
import Glibc

/// The access-handler state machine. MHD calls `handle` on its own threads, once when the headers are in,
/// once per body piece, and once more when the body is complete (and again after each resume). None of these
/// calls blocks: the responder runs as a Swift task while the connection is suspended.
extension ServerContext {
    /// `url` and `method` are MHD's C strings; they are read into Swift strings on the first call only, as
    /// MHD calls this three or four times per request.
    func handle(
        _ connection: OpaquePointer, url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?,
        upload: UnsafePointer<CChar>?, uploadSize: UnsafeMutablePointer<Int>,
        context: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        guard let raw = context.pointee else {
            let state = RequestState(
                method: method.map { HTTPMethod(String(cString: $0)) } ?? .get,
                path: url.map { String(cString: $0) } ?? "/")
            context.pointee = Unmanaged.passRetained(state).toOpaque()
            requestStarted()
            return headersArrived(state, connection)
        }
        let state = Unmanaged<RequestState>.fromOpaque(raw).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            let size = uploadSize.pointee
            uploadSize.pointee = 0
            return bodyArrived(state, connection, UnsafeRawBufferPointer(start: upload, count: size))
        }
        return requestComplete(state, connection)
    }

    /// First call: refuse early what can be refused without reading the body.
    private func headersArrived(_ state: RequestState, _ connection: OpaquePointer) -> MHD_Result {
        if isShuttingDown {
            var response = HTTPResponse.problem(.unavailable("The server is shutting down."))
            response.headers["Connection"] = "close"
            return queue(response, for: state, on: connection)
        }
        if let declared = value(of: "Content-Length", kind: .HEADER_KIND, on: connection),
            let length = UInt64(declared)
        {
            // Queued before the body is read: MHD sends no `100 Continue`, skips the body and closes.
            guard length <= UInt64(maxBodySize) else {
                return queue(.problem(.contentTooLarge(limit: maxBodySize)), for: state, on: connection)
            }
            // The whole declared body is charged against the budget at once, and its buffer made to size.
            guard reserveBodyBytes(Int(length)) else {
                return queue(Self.overBudget(maxInflightBytes), for: state, on: connection)
            }
            state.progress.withLock { progress in
                progress.charged = Int(length)
                progress.body.reserveCapacity(Int(length))
            }
        }
        return .YES
    }

    /// The 503 for a body that does not fit in the budget of buffered bodies.
    static func overBudget(_ budget: Int) -> HTTPResponse {
        var response = HTTPResponse.problem(
            .unavailable(
                "The server holds \(budget) bytes of request bodies at most and has no room for this one now."))
        response.headers["Retry-After"] = "1"
        return response
    }

    /// A piece of the body: keep it while under the limit and the budget; past the limit answer 413, past
    /// the budget 503, at once, and drain. The buffer grows with what arrived, never past the limit.
    private func bodyArrived(
        _ state: RequestState, _ connection: OpaquePointer, _ piece: UnsafeRawBufferPointer
    ) -> MHD_Result {
        enum Verdict {
            case keep
            case tooLarge
            case overBudget
            case close
        }
        let verdict = state.progress.withLock { progress -> Verdict in
            switch progress.phase {
            case .receiving:
                let needed = progress.body.count + piece.count
                guard needed <= maxBodySize else {
                    progress.phase = .draining(discarded: piece.count)
                    progress.body = []
                    releaseBodyBytes(progress.charged)
                    progress.charged = 0
                    return .tooLarge
                }
                // A chunked body (or more than was declared) is charged as it arrives.
                if needed > progress.charged {
                    guard reserveBodyBytes(needed - progress.charged) else {
                        progress.phase = .draining(discarded: piece.count)
                        progress.body = []
                        releaseBodyBytes(progress.charged)
                        progress.charged = 0
                        return .overBudget
                    }
                    progress.charged = needed
                }
                if needed > progress.body.capacity {
                    progress.body.reserveCapacity(min(maxBodySize, max(needed, progress.body.capacity * 2)))
                }
                progress.body.append(contentsOf: piece)
                return .keep
            case .draining(let discarded):
                progress.phase = .draining(discarded: discarded + piece.count)
                return discarded + piece.count > Self.drainAllowance ? .close : .keep
            case .handling, .answered, .finished:
                return .keep
            }
        }
        switch verdict {
        case .keep: return .YES
        case .tooLarge:
            sendEarly(.problem(.contentTooLarge(limit: maxBodySize)), reason: "Content Too Large", state, connection)
            return .YES
        case .overBudget:
            sendEarly(Self.overBudget(maxInflightBytes), reason: "Service Unavailable", state, connection)
            return .YES
        case .close: return .NO  // drained enough; MHD closes the connection
        }
    }

    /// MHD 0.9.75 cannot queue a response while a body is still arriving, so the 413 or 503 for a streamed
    /// body goes straight to the socket (MHD has sent nothing for this request yet, and closes the
    /// connection once the rest of the body is drained or the drain allowance is used up).
    private func sendEarly(
        _ response: HTTPResponse, reason: String, _ state: RequestState, _ connection: OpaquePointer
    ) {
        var head = "HTTP/1.1 \(response.status) \(reason)\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + response.body
        let fd = cshims_mhd_connection_fd(connection)
        if fd >= 0 {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if sent != bytes.count { logger.debug("early 413 not fully sent", metadata: ["sent": "\(sent)"]) }
        }
        metrics.record(
            method: state.method, route: Router.unmatchedRoute, status: response.status, duration: .now - state.started)
    }

    /// Final call (and the call after each resume).
    private func requestComplete(_ state: RequestState, _ connection: OpaquePointer) -> MHD_Result {
        enum Next {
            case start([UInt8])
            case send(HTTPResponse)
            case close
            case wait
        }
        let next = state.progress.withLock { progress -> Next in
            switch progress.phase {
            case .receiving:
                progress.phase = .handling(suspended: false)
                defer { progress.body = [] }
                return .start(progress.body)
            case .draining: return .close
            case .answered(let response):
                progress.phase = .finished
                return .send(response)
            case .handling, .finished: return .wait
            }
        }
        switch next {
        case .start(let body): return startHandling(state, connection, body: body)
        case .send(let response): return queue(response, for: state, on: connection)
        case .close: return .NO
        case .wait: return .YES
        }
    }

    /// Runs the responder in a task; queues its answer at once if it is ready by the time the task has been
    /// started, or else suspends the connection, which the task resumes with the answer.
    ///
    /// A request for a ``Router`` route added with `inline: true` (see
    /// ``Router/add(_:_:accepts:mutating:inline:_:)``) starts on this thread (`Task.immediate`) and runs here
    /// until it first suspends, so a cheap handler that does not suspend answers with no suspend, resume or
    /// thread hop. Every other request starts on the global executor.
    private func startHandling(_ state: RequestState, _ connection: OpaquePointer, body: [UInt8]) -> MHD_Result {
        let request = HTTPRequest(
            method: state.method, path: state.path, query: arguments(on: connection), headers: headers(on: connection),
            body: body)
        let handle = ConnectionHandle(pointer: connection)
        guard beganHandling(state, on: handle) else {
            state.progress.withLock { $0.phase = .finished }
            var response = HTTPResponse.problem(.unavailable("The server is shutting down."))
            response.headers["Connection"] = "close"
            return queue(response, for: state, on: connection)
        }
        if let router, #available(macOS 26, *), router.routesInline(request) {
            Task.immediate {
                let response = await self.respondTraced(to: request, with: router)
                if !state.answer(response, resuming: handle) { response.stream?.close() }
                self.doneHandling(state)
            }
        } else {
            let responder = self.responder
            Task {
                let response = await self.respondTraced(to: request, with: responder)
                // Shutdown answered first: a streamed body is never sent, and its producer must learn so.
                if !state.answer(response, resuming: handle) { response.stream?.close() }
                self.doneHandling(state)
            }
        }
        guard let response = state.takeAnswerOrSuspend(connection) else { return .YES }
        return queue(response, for: state, on: connection)
    }

    /// Hands `response` to MHD (which copies the body) and records it in the metrics.
    func queue(_ response: HTTPResponse, for state: RequestState, on connection: OpaquePointer) -> MHD_Result {
        var response = response
        if !(100...999).contains(response.status) {
            logger.error("responder produced an invalid status", metadata: ["status": "\(response.status)"])
            response = .problem(.internalError)
        }
        metrics.record(
            method: state.method, route: response.routePattern ?? Router.unmatchedRoute, status: response.status,
            duration: .now - state.started)
        let created: OpaquePointer?
        if let stream = response.stream {
            created = startStream(stream, on: connection)
        } else {
            created = response.body.withUnsafeBytes {
                MHD_create_response_from_buffer(
                    $0.count, UnsafeMutableRawPointer(mutating: $0.baseAddress), .RESPMEM_MUST_COPY)
            }
        }
        guard let mhdResponse = created else {
            logger.error("cannot answer", metadata: ["error": "\(MHDError("MHD_create_response"))"])
            return .NO
        }
        defer { MHD_destroy_response(mhdResponse) }
        for (name, value) in response.headers
        where !Self.headersMHDSets.contains(where: { HTTPHeaders.nameMatches(name, $0) }) {
            do {
                try MHDError.check(MHD_add_response_header(mhdResponse, name, value), "MHD_add_response_header")
            } catch {
                logger.warning("header dropped", metadata: ["name": "\(name)", "error": "\(error)"])
            }
        }
        do {
            try MHDError.check(
                MHD_queue_response(connection, UInt32(response.status), mhdResponse), "MHD_queue_response")
            return .YES
        } catch {
            logger.error("cannot answer", metadata: ["error": "\(error)"])
            return .NO
        }
    }

    /// An MHD response that pulls `stream` (chunked, size unknown); MHD holds a reference to the stream until
    /// it frees the response, which closes the stream. `nil` (and the stream closed) if MHD refuses.
    private func startStream(_ stream: HTTPBodyStream, on connection: OpaquePointer) -> OpaquePointer? {
        stream.attach(to: connection)
        streamStarted(stream)
        let retained = Unmanaged.passRetained(stream)
        guard
            let created = MHD_create_response_from_callback(
                UInt64.max, Self.streamBlockSize, mhdStreamReader, retained.toOpaque(), mhdStreamFreed)
        else {
            stream.close()
            retained.release()
            return nil
        }
        return created
    }

    /// The most bytes MHD asks a streamed body for at once.
    private static let streamBlockSize = 32 * 1024

    /// Framing headers MHD writes itself from the body it is given.
    private static let headersMHDSets = ["content-length", "transfer-encoding"]
}
