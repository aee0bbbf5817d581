import CMicroHTTPD
import CShims

// The C callbacks MHD calls. Each is a global `let` of a C function type (outside main.swift, so not
// main-actor isolated) that captures nothing and finds its state through the `cls` pointers: the
// `ServerContext` (retained by `MHDDaemon` until the daemon has stopped) and the per-request
// `RequestState` in `*con_cls` (retained on the first call, released on completion).

/// MHD's access handler: forwards to ``ServerContext/handle(_:url:method:upload:uploadSize:context:)``.
let mhdAccessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, upload, uploadSize, context in
    guard let cls, let connection, let uploadSize, let context else { return .NO }
    let server = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
    return server.handle(
        connection, url: url, method: method, upload: upload, uploadSize: uploadSize, context: context)
}

/// MHD's request-completed notice: releases the request's state and ends it in the books.
let mhdRequestCompleted: MHD_RequestCompletedCallback = { cls, _, context, _ in
    guard let cls, let context, let raw = context.pointee else { return }
    context.pointee = nil
    let server = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
    let state = Unmanaged<RequestState>.fromOpaque(raw)
    server.releaseBodyBytes(
        state.takeUnretainedValue().progress.withLock { progress in
            defer { progress.charged = 0 }
            return progress.charged
        })
    state.release()
    server.requestEnded()
}

/// MHD's error log, routed to the server's logger at debug level (MHD reports client misbehaviour there too).
let mhdLog: cshims_mhd_log_function = { cls, message in
    guard let cls, let message else { return }
    let server = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
    var text = String(cString: message)
    while text.last?.isNewline == true { text.removeLast() }
    server.logger.debug("libmicrohttpd: \(text)")
}
