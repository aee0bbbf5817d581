import Foundation
import HTTPServer
import Synchronization

/// `PUT /v1/devnet` and `GET /v1/devnet` on a node of `backingd devnet --processes`
/// (``ServiceConfiguration/devnetDashboard``): the devnet, which runs the relay chain in another
/// process, sends its description of the network after every block, and the node answers it to its
/// dashboard, as an in-process devnet node answers its own. The document is the devnet's business: the
/// node keeps the last one (in memory only) and checks no more than that it is a JSON object.
enum DevnetDocumentRoutes {
    /// The last document sent, `nil` before the first.
    final class Document: Sendable {
        let bytes = Mutex<[UInt8]?>(nil)
    }

    static func register(on router: inout Router) {
        let document = Document()
        router.add(.get, "/v1/devnet", accepts: nil) { _ in
            guard let bytes = document.bytes.withLock({ $0 }) else {
                throw ProblemDetails.notFound("No devnet has described the network to this node yet.")
            }
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: bytes)
        }
        router.add(.put, "/v1/devnet", mutating: true) { request in
            guard (try? JSONSerialization.jsonObject(with: Data(request.body))) is [String: Any] else {
                throw ProblemDetails.badRequest("body: expected the devnet's description, a JSON object")
            }
            document.bytes.withLock { $0 = request.body }
            return .noContent()
        }
    }
}
