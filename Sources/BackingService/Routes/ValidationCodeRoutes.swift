import Foundation
import HTTPServer
import Primitives
import Validation

/// `PUT /v1/validation-code`: raw wasm (`application/wasm`) or `{code}`; 201 when new, 200 when known.
enum ValidationCodeRoutes {
    static func register(on router: inout Router, context: ServiceContext) {
        router.route(
            .put, "/v1/validation-code", accepts: ["application/wasm", "application/octet-stream", "application/json"],
            mutating: true
        ) { request in
            let code: ValidationCode
            if request.mediaType == "application/json" {
                code = ValidationCode(bytes: try context.decode(ValidationCodeRequest.self, from: request).code.bytes)
            } else {
                code = ValidationCode(bytes: request.body)
            }
            guard !code.bytes.isEmpty else { throw ProblemDetails.badRequest("code: the validation code is empty") }
            let stored = try await context.validationCode.store(code)
            return .json(["validationCodeHash": stored.hash], status: stored.inserted ? 201 : 200)
        }
    }
}
