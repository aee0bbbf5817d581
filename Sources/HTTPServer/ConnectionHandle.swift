import CMicroHTTPD

/// An MHD connection pointer that may cross into a Swift task.
///
/// Safe because the only thing done with it off MHD's threads is `MHD_resume_connection`, which MHD documents
/// as callable from any thread (with `MHD_ALLOW_SUSPEND_RESUME`), and ``RequestState/answer(_:resuming:)``
/// makes sure it is called at most once and only while the connection is suspended, i.e. still alive.
struct ConnectionHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    func resume() { MHD_resume_connection(pointer) }
}
