import CMicroHTTPD
import CShims
import Glibc

/// The baseline: a libmicrohttpd daemon whose handler answers `{"len":N}` inside the C callback, with no
/// Swift concurrency, no router and no suspend/resume. Same threading as `HTTPServer` (pool + epoll).
enum BareMHD {
    /// Starts the baseline daemon on 127.0.0.1:`port` (0 = any) and returns the bound port.
    static func start(port: UInt16, threads: Int) -> UInt16? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var options = cshims_mhd_options(
            thread_pool_size: UInt32(threads), connection_limit: 1_100, connection_timeout_seconds: 60,
            memory_limit: 0, log: nil, log_cls: nil)
        let flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
        let daemon = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                cshims_mhd_start_at(flags, $0, bareHandler, nil, bareCompleted, nil, &options)
            }
        }
        return daemon.map { cshims_mhd_bound_port($0) }
    }
}

/// Counts the body in a per-request `Int` kept in `*con_cls`, then answers at once.
private let bareHandler: MHD_AccessHandlerCallback = { _, connection, _, _, _, _, uploadSize, context in
    guard let connection, let uploadSize, let context else { return .NO }
    guard let raw = context.pointee else {
        let count = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        count.initialize(to: 0)
        context.pointee = UnsafeMutableRawPointer(count)
        return .YES
    }
    let count = raw.assumingMemoryBound(to: Int.self)
    if uploadSize.pointee > 0 {
        count.pointee += uploadSize.pointee
        uploadSize.pointee = 0
        return .YES
    }
    var body = Array("{\"len\":\(count.pointee)}".utf8)
    guard
        let response = body.withUnsafeMutableBytes({
            MHD_create_response_from_buffer($0.count, $0.baseAddress, .RESPMEM_MUST_COPY)
        })
    else { return .NO }
    defer { MHD_destroy_response(response) }
    _ = MHD_add_response_header(response, "Content-Type", "application/json")
    return MHD_queue_response(connection, 200, response)
}

/// Frees the per-request counter.
private let bareCompleted: MHD_RequestCompletedCallback = { _, _, context, _ in
    guard let context, let raw = context.pointee else { return }
    raw.assumingMemoryBound(to: Int.self).deallocate()
    context.pointee = nil
}
