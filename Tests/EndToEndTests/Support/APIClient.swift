import Foundation
import Webhooks

/// Talks HTTP to a node with real libcurl, as any harness would.
struct APIClient: Sendable {
    let baseURL: String
    let client: CurlClient
    var token: String?

    struct Answer: Sendable {
        let status: Int
        let headers: [(String, String)]
        let body: [UInt8]

        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: .fragmentsAllowed) }
        var object: [String: Any]? { json as? [String: Any] }
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    func send(
        _ method: String, _ path: String, body: [UInt8] = [], contentType: String? = "application/json",
        headers extra: [(String, String)] = []
    ) async throws -> Answer {
        var headers = extra
        if let contentType, !body.isEmpty { headers.append(("Content-Type", contentType)) }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let response = try await client.send(
            CurlRequest(method: method, url: baseURL + path, headers: headers, body: body, timeout: .seconds(30)))
        return Answer(status: response.status, headers: response.headers, body: response.body)
    }

    func get(_ path: String) async throws -> Answer { try await send("GET", path) }

    func post(_ path: String, json: Any) async throws -> Answer {
        try await send(
            "POST", path, body: Array(try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])))
    }

    func post(_ path: String, encodable: some Encodable) async throws -> Answer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try await send("POST", path, body: Array(try encoder.encode(encodable)))
    }
}
