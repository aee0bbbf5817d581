import Foundation
import Webhooks

/// JSON over HTTP to the nodes, through libcurl: the driver, collators and provisioner talk to the
/// nodes exactly as an outside harness would.
struct DevnetClient: Sendable {
    let curl: CurlClient

    /// `method url` with `body` as JSON; returns the status and the raw answer.
    func send(_ method: String, _ url: String, json body: (some Encodable)?) async throws -> (Int, Data) {
        var request = CurlRequest(method: method, url: url, timeout: .seconds(10))
        if let body {
            request.headers = [("Content-Type", "application/json")]
            request.body = Array(try JSONEncoder().encode(body))
        }
        do {
            let response = try await curl.send(request)
            return (response.status, Data(response.body))
        } catch {
            throw DevnetError.http("\(method) \(url): \(error)")
        }
    }

    /// `method url`, expecting a 2xx JSON answer of type `T`.
    func call<T: Decodable>(_ method: String, _ url: String, json body: (some Encodable)?, as type: T.Type)
        async throws -> T
    {
        let (status, data) = try await send(method, url, json: body)
        guard (200..<300).contains(status) else {
            throw DevnetError.http("\(method) \(url): \(status) \(String(decoding: data, as: UTF8.self))")
        }
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// `GET url` as `T`.
    func get<T: Decodable>(_ url: String, as type: T.Type) async throws -> T {
        try await call("GET", url, json: Optional<Empty>.none, as: T.self)
    }

    /// A body-less request's placeholder type.
    struct Empty: Codable {}
}
