/// The one seam between the server and the application: turn a request into a response.
///
/// ``HTTPServer`` calls `respond(to:)` from a Swift task, never on an MHD thread, so it may await freely
/// (it must still not block its thread on I/O or locks held for long). It cannot throw: ``Router`` turns
/// thrown errors into problem answers.
public protocol HTTPResponder: Sendable {
    /// Answers one request.
    func respond(to request: HTTPRequest) async -> HTTPResponse
}
