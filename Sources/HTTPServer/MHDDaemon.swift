import CMicroHTTPD
import CShims
import Glibc

/// A running libmicrohttpd daemon: internal polling with a thread pool of epoll loops, suspend/resume
/// allowed (which also gives MHD the inter-thread channel that quiescing needs).
///
/// `@unchecked Sendable` — safe because it only owns the daemon pointer and the options the logger reads; the
/// MHD functions used on them (`MHD_quiesce_daemon`, `MHD_stop_daemon`) may be called from any thread, and the
/// one mutable field, `listenSocket`, is written by `quiesce()` and read by `stop()`, which
/// ``HTTPServer/shutdown()`` calls once each, in that order, from one task.
final class MHDDaemon: @unchecked Sendable {
    private let pointer: OpaquePointer
    /// MHD's logger reads these (and the context pointer in them) until the daemon stops.
    private let options: UnsafeMutablePointer<cshims_mhd_options>
    private var listenSocket: Int32 = -1
    private let context: Unmanaged<ServerContext>
    let port: UInt16

    /// Starts listening on `address`; the daemon calls back into `context`, which it keeps alive until `stop()`.
    init(context: ServerContext, address: SocketAddress, configuration: HTTPServerConfiguration) throws(MHDError) {
        var flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
            | MHD_USE_ERROR_LOG.rawValue
        if address.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        // MHD holds a strong reference to the context, released in `stop()` (or on a failed start), so the
        // callbacks never see a freed context even if the `HTTPServer` is dropped without a shutdown.
        let retained = Unmanaged.passRetained(context)
        let contextPointer = retained.toOpaque()
        let options = UnsafeMutablePointer<cshims_mhd_options>.allocate(capacity: 1)
        let timeout = configuration.idleTimeout.components.seconds
        options.initialize(
            to: cshims_mhd_options(
                // One thread is MHD's single internal polling thread, not a pool of one.
                thread_pool_size: configuration.threadPoolSize > 1 ? UInt32(clamping: configuration.threadPoolSize) : 0,
                connection_limit: UInt32(clamping: max(1, configuration.connectionLimit)),
                connection_timeout_seconds: UInt32(clamping: max(1, timeout)),
                memory_limit: 0, log: mhdLog, log_cls: contextPointer))
        let started = address.withSockAddr { sockAddr in
            cshims_mhd_start_at(
                flags, sockAddr, mhdAccessHandler, contextPointer, mhdRequestCompleted, contextPointer, options)
        }
        guard let started else {
            let error = MHDError("MHD_start_daemon")
            options.deallocate()
            retained.release()
            throw error
        }
        self.options = options
        pointer = started
        self.context = retained
        port = cshims_mhd_bound_port(started)
    }

    /// Stops accepting connections; open ones keep being served.
    func quiesce() {
        listenSocket = MHD_quiesce_daemon(pointer)
    }

    /// Closes every connection and joins MHD's threads. Every suspended connection must have been resumed.
    func stop() {
        MHD_stop_daemon(pointer)
        if listenSocket >= 0 { close(listenSocket) }
        options.deallocate()
        context.release()
    }
}
