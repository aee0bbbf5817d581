import CMicroHTTPD
import CShims
import Glibc

/// A running libmicrohttpd daemon: internal polling with a thread pool of epoll loops, suspend/resume
/// allowed (which also gives MHD the inter-thread channel that quiescing needs).
///
/// Safe to send because it is only an owner of the daemon pointer and of the options the logger reads; MHD's
/// daemon functions used here (`MHD_quiesce_daemon`, `MHD_stop_daemon`, `MHD_get_daemon_info`) may be
/// called from any thread, and ``HTTPServer`` calls `stop()` once.
final class MHDDaemon: @unchecked Sendable {
    private let pointer: OpaquePointer
    /// MHD's logger reads these (and the context pointer in them) until the daemon stops.
    private let options: UnsafeMutablePointer<cshims_mhd_options>
    private var listenSocket: Int32 = -1
    let port: UInt16

    /// Starts listening on `address`; the daemon calls back into `context`, which must outlive it.
    init(context: ServerContext, address: SocketAddress, configuration: HTTPServerConfiguration) throws(MHDError) {
        var flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
            | MHD_USE_ERROR_LOG.rawValue
        if address.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
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
            throw error
        }
        self.options = options
        pointer = started
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
    }
}
