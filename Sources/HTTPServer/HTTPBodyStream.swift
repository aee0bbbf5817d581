import CMicroHTTPD
import CShims
import Glibc
import Synchronization

/// A response body written over time, e.g. Server-Sent Events: the handler answers with
/// ``HTTPResponse/stream(_:status:headers:)`` and keeps sending bytes after its answer went out.
///
/// The server pulls the bytes on its libmicrohttpd thread (chunked transfer encoding); when nothing is
/// buffered it suspends the connection, which a ``send(_:)`` or the end resumes, so an open stream holds a
/// connection (it counts against ``HTTPServerConfiguration/connectionLimit``) but never a thread. What is
/// buffered and not yet taken by the socket is bounded by ``capacity`` (or by one send, when the buffer is
/// empty): ``send(_:)`` closes the connection rather than buffer more (a client that does not read is dropped,
/// never waited for), ``offer(_:)`` refuses the bytes instead, and ``waitForRoom(_:)`` waits for the client.
///
/// While the connection is suspended MHD does not notice a client that went away; the next send does (a
/// stream that must notice sends something now and then, like the SSE heartbeat). ``onClose(_:)`` handlers
/// run once the server is done with the stream, whatever the reason, and also when the response carrying
/// it was never sent. On ``HTTPServer/shutdown()`` open streams are finished (their buffered bytes still
/// go out), and those whose client does not take them within the grace period are closed.
public final class HTTPBodyStream: Sendable {
    /// What ``send(_:)`` did with the bytes.
    public enum SendResult: Sendable, Equatable {
        /// Buffered; the connection sends them as the client reads.
        case queued
        /// They did not fit in ``capacity``: the connection is being closed, nothing more is sent.
        case overflowed
        /// They did not fit in ``capacity`` and were not taken (``offer(_:)``); the stream goes on.
        case full
        /// The stream was finished or closed before: nothing is sent.
        case closed
    }

    private enum Ending {
        /// End once the buffered bytes are sent.
        case finish
        /// Close the connection at once.
        case abort
    }

    private struct State {
        var buffer: [UInt8] = []
        /// How much of `buffer` the connection has taken.
        var taken = 0
        var ending: Ending?
        /// The connection sending the stream, once the response is queued, and its socket.
        var connection: ConnectionHandle?
        var socket: Int32 = -1
        /// The reader found nothing to send and suspended the connection; the next change resumes it.
        var suspended = false
        /// The server is done with the stream (or never got it).
        var closed = false
        /// A producer waiting for room for `count` bytes.
        var roomWaiter: (count: Int, continuation: CheckedContinuation<Bool, Never>)?
        var closeHandlers: [@Sendable () -> Void] = []

        var buffered: Int { buffer.count - taken }

        /// Resumes the connection if the reader suspended it (under the stream's lock, so that the
        /// connection is still open: it closes only after the reader returned an end, which needs the lock).
        mutating func wake() {
            guard suspended else { return }
            suspended = false
            connection?.resume()
        }

        /// Ends the connection now. Resuming it is not enough when MHD waits for the client to take what is
        /// in the socket (a client that does not read): MHD calls the reader only when it can send, so the
        /// socket is shut down, which MHD sees at once and closes the connection. The socket is still MHD's
        /// and open: MHD frees the response (which sets `closed`, under the same lock) before it closes it.
        mutating func abortConnection() {
            wake()
            if socket >= 0, !closed { shutdown(socket, Int32(SHUT_RDWR)) }
        }

        /// Whether `count` more bytes fit: an empty buffer takes any one send, so that a piece larger than the
        /// capacity can still go out alone.
        func fits(_ count: Int, capacity: Int) -> Bool { buffered == 0 || buffered + count <= capacity }

        /// The room waiter, if the buffer has room for it now.
        mutating func takeRoomWaiterIfRoom(capacity: Int) -> CheckedContinuation<Bool, Never>? {
            guard let waiter = roomWaiter, fits(waiter.count, capacity: capacity) else { return nil }
            roomWaiter = nil
            return waiter.continuation
        }
    }

    /// The most bytes buffered and not yet taken by the connection.
    public let capacity: Int
    private let state = Mutex(State())

    /// - Parameter capacity: the most bytes held for a client that has not taken them yet.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The bytes sent and not yet taken by the connection.
    public var bufferedByteCount: Int { state.withLock { $0.buffered } }

    /// Whether the server is done with the stream.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Queues `bytes` after those sent before. Never blocks: bytes that do not fit end the stream.
    public func send(_ bytes: [UInt8]) -> SendResult {
        state.withLock { state in
            guard !state.closed, state.ending == nil else { return .closed }
            guard state.fits(bytes.count, capacity: capacity) else {
                state.ending = .abort
                state.abortConnection()
                return .overflowed
            }
            state.buffer += bytes
            state.wake()
            return .queued
        }
    }

    /// Queues `bytes` if they fit; otherwise leaves the stream as it is and answers ``SendResult/full``.
    public func offer(_ bytes: [UInt8]) -> SendResult {
        state.withLock { state in
            guard !state.closed, state.ending == nil else { return .closed }
            guard state.fits(bytes.count, capacity: capacity) else { return .full }
            state.buffer += bytes
            state.wake()
            return .queued
        }
    }

    /// Returns once `count` more bytes fit in the buffer (or it is empty): `true`; `false` once the stream
    /// is finished or closed. For a producer with a backlog (a replay) that must wait for a slow client
    /// rather than drop it. One waiter at a time.
    public func waitForRoom(_ count: Int) async -> Bool {
        await withCheckedContinuation { continuation in
            let answer = state.withLock { state -> Bool? in
                if state.closed || state.ending != nil { return false }
                if state.fits(count, capacity: capacity) { return true }
                state.roomWaiter = (count, continuation)
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    /// Ends the body once what was sent is taken; sends after this are refused.
    public func finish() { end(.finish) }

    /// Closes the connection without sending what is still buffered.
    public func abort() { end(.abort) }

    private func end(_ ending: Ending) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard !state.closed else { return nil }
            if state.ending != .abort { state.ending = ending }
            if ending == .abort { state.abortConnection() } else { state.wake() }
            defer { state.roomWaiter = nil }
            return state.roomWaiter?.continuation
        }
        waiter?.resume(returning: false)
    }

    /// Runs `handler` once the server is done with the stream (at once if it already is), on whichever
    /// thread that happens: keep it short and non-blocking.
    public func onClose(_ handler: @escaping @Sendable () -> Void) {
        let closed = state.withLock { state in
            if !state.closed { state.closeHandlers.append(handler) }
            return state.closed
        }
        if closed { handler() }
    }

    // MARK: - The server's side

    /// Binds the stream to the connection that sends it, before its response is queued.
    func attach(to connection: OpaquePointer) {
        let socket = cshims_mhd_connection_fd(connection)
        state.withLock { state in
            state.connection = ConnectionHandle(pointer: connection)
            state.socket = socket
        }
    }

    /// MHD's content reader, on MHD's thread: copies buffered bytes into `destination`, or ends the body,
    /// or suspends the connection until there is something to do (returning 0, as MHD requires then).
    func read(into destination: UnsafeMutableRawBufferPointer) -> Int {
        let (result, waiter) = state.withLock { state -> (Int, CheckedContinuation<Bool, Never>?) in
            if state.closed || state.ending == .abort { return (Int(MHD_CONTENT_READER_END_WITH_ERROR), nil) }
            let available = state.buffered
            guard available > 0 else {
                if state.ending == .finish { return (Int(MHD_CONTENT_READER_END_OF_STREAM), nil) }
                guard let connection = state.connection else { return (Int(MHD_CONTENT_READER_END_WITH_ERROR), nil) }
                state.suspended = true
                MHD_suspend_connection(connection.pointer)
                return (0, nil)
            }
            let count = min(available, destination.count)
            state.buffer.withUnsafeBytes { source in
                destination.copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: source[state.taken..<state.taken + count]))
            }
            state.taken += count
            if state.taken == state.buffer.count {
                state.buffer.removeAll(keepingCapacity: state.buffer.capacity <= 1 << 16)
                state.taken = 0
            } else if state.taken >= 1 << 16 {
                state.buffer.removeFirst(state.taken)
                state.taken = 0
            }
            return (count, state.takeRoomWaiterIfRoom(capacity: capacity))
        }
        waiter?.resume(returning: true)
        return result
    }

    /// The server is done with the stream: MHD freed its response, or the response was never sent.
    func close() {
        let (handlers, waiter) = state.withLock {
            state -> ([@Sendable () -> Void], CheckedContinuation<Bool, Never>?) in
            guard !state.closed else { return ([], nil) }
            state.closed = true
            state.buffer = []
            state.taken = 0
            state.connection = nil
            state.socket = -1
            defer {
                state.closeHandlers = []
                state.roomWaiter = nil
            }
            return (state.closeHandlers, state.roomWaiter?.continuation)
        }
        waiter?.resume(returning: false)
        for handler in handlers { handler() }
    }
}

/// MHD's content reader for a streamed body: `cls` is the retained ``HTTPBodyStream``.
let mhdStreamReader: MHD_ContentReaderCallback = { cls, _, buffer, max in
    guard let cls, let buffer else { return Int(MHD_CONTENT_READER_END_WITH_ERROR) }
    let stream = Unmanaged<HTTPBodyStream>.fromOpaque(cls).takeUnretainedValue()
    return stream.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: max))
}

/// MHD's notice that it is done with a streamed body: closes the stream and releases it.
let mhdStreamFreed: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    let stream = Unmanaged<HTTPBodyStream>.fromOpaque(cls)
    stream.takeUnretainedValue().close()
    stream.release()
}
