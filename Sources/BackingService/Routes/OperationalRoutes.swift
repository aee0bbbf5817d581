import Foundation
import HTTPServer
import Webhooks

/// `/metrics`, `/healthz`, `/readyz`, `/openapi.yaml` and `GET /v1/webhooks/deliveries`.
enum OperationalRoutes {
    static func register(on router: inout Router, context: ServiceContext) {
        router.route(.get, "/metrics", accepts: nil) { _ in
            HTTPResponse(
                status: 200, headers: ["content-type": "text/plain; version=0.0.4"], body: context.metricsText())
        }
        router.route(.get, "/healthz", accepts: nil) { _ in .json(StatusResponse(status: "ok")) }
        router.route(.get, "/readyz", accepts: nil) { _ in
            guard let reason = context.readiness.reason else { return .json(StatusResponse(status: "ok")) }
            let status =
                switch context.readiness.state {
                case .storageFailed: "storage failure"
                default: "restoring"
                }
            var response = HTTPResponse.json(ReadinessResponse(status: status, reason: reason), status: 503)
            response.headers.add(name: "Retry-After", value: "1")
            return response
        }
        router.route(.get, "/openapi.yaml", accepts: nil) { _ in
            HTTPResponse(status: 200, headers: ["content-type": "application/yaml"], body: context.openAPI)
        }
        router.route(.get, "/v1/webhooks/deliveries", accepts: nil) { request in
            var status: DeliveryStatus?
            if let text = request.query["status"] {
                guard let parsed = DeliveryStatus(rawValue: text) else {
                    throw ProblemDetails.badRequest("status: expected pending, failed or delivered, got \(text)")
                }
                status = parsed
            }
            var limit = 100
            if let text = request.query["limit"] {
                guard let parsed = Int(text), (1...10_000).contains(parsed) else {
                    throw ProblemDetails.badRequest("limit: expected an integer from 1 to 10000, got \(text)")
                }
                limit = parsed
            }
            return .json(try await context.outbox.deliveries(status: status, limit: limit))
        }
    }
}
