/// An error that knows its HTTP answer.
///
/// When a handler throws an `HTTPError`, the ``Router`` answers with its ``problem``; any other thrown error
/// becomes a 500 ``ProblemDetails/internalError`` (logged, with nothing of the error in the answer).
public protocol HTTPError: Error {
    /// The problem document to answer with; its `status` is the answer's status.
    var problem: ProblemDetails { get }
    /// Extra header fields for the answer, e.g. `Allow` on a 405. Empty by default.
    var headers: HTTPHeaders { get }
}

extension HTTPError {
    public var headers: HTTPHeaders { [:] }
}
