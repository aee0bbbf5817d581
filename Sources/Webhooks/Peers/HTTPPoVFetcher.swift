public import Backing
internal import Foundation
public import Primitives

/// Fetches PoVs from other validators over HTTP (contract §5, §7.10):
/// `GET {peer}/v1/povs/0x{candidateHash}`, the peer's base URL configured for the validator's key.
///
/// Concurrency: requests go through the shared ``CurlClient``; nothing blocks the caller's thread.
public struct HTTPPoVFetcher: PoVFetcher {
    /// The largest answer read: a PoV of `MAX_POV_SIZE` (10 MiB, primitives v9) as `{"blockData": "0x…"}`
    /// (two hex digits a byte) and room for the JSON around it. A larger answer fails the fetch without
    /// being buffered past this.
    public static let maxResponseBytes = 2 * (10 << 20) + (64 << 10)

    private let peers: [ValidatorId: String]
    private let client: CurlClient
    private let timeout: Duration

    /// - Parameters:
    ///   - peers: each validator's base URL (`http://127.0.0.1:9101`), without the `/v1/...` path.
    ///   - timeout: the limit for one fetch.
    public init(peers: [ValidatorId: String], client: CurlClient, timeout: Duration = .seconds(5)) {
        self.peers = peers.mapValues { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.client = client
        self.timeout = timeout
    }

    /// Fetches the PoV of `candidateHash` from `validatorKey`'s peer and checks it against `povHash`.
    /// - Throws: ``PoVFetchError`` for an unknown peer, a transport error, a non-200 answer, a body
    ///   that is no PoV, or a PoV whose hash is not `povHash`.
    public func fetchPoV(
        relayParent: Hash, from validator: ValidatorIndex, validatorKey: ValidatorId, candidateHash: CandidateHash,
        povHash: Hash
    ) async throws -> PoV {
        guard let base = peers[validatorKey] else { throw PoVFetchError.unknownPeer(validatorKey) }
        let request = CurlRequest(
            url: "\(base)/v1/povs/\(candidateHash.hex)", headers: [("Accept", "application/json")], timeout: timeout,
            connectTimeout: min(timeout, .seconds(5)), maxResponseBytes: Self.maxResponseBytes)
        let response: CurlResponse
        do {
            response = try await client.send(request, span: "fetch PoV")
        } catch {
            throw PoVFetchError.transport(error)
        }
        guard response.status == 200 else { throw PoVFetchError.status(response.status) }
        guard response.isJSON else { throw PoVFetchError.contentType(response.mediaType ?? "") }
        let pov: PoV
        do {
            pov = try JSONInput.decode(PoV.self, from: Data(response.body))
        } catch {
            throw PoVFetchError.malformed(error.description)
        }
        guard pov.hash == povHash else { throw PoVFetchError.hashMismatch(expected: povHash, actual: pov.hash) }
        return pov
    }
}

/// Why a validator could not give us a PoV.
public enum PoVFetchError: Error, Equatable, CustomStringConvertible {
    /// No base URL is configured for this validator's key.
    case unknownPeer(ValidatorId)
    case transport(CurlError)
    /// The peer answered with a status other than 200.
    case status(Int)
    /// The peer named a content type other than JSON.
    case contentType(String)
    /// The body is not a PoV.
    case malformed(String)
    /// The PoV's hash is not the descriptor's `povHash`.
    case hashMismatch(expected: Hash, actual: Hash)

    public var description: String {
        switch self {
        case .unknownPeer(let key): "no peer URL configured for validator \(key)"
        case .transport(let error): "PoV fetch failed: \(error)"
        case .status(let status): "PoV fetch answered HTTP \(status)"
        case .contentType(let type): "PoV fetch answered content type \(type), not JSON"
        case .malformed(let reason): "PoV fetch answer is no PoV: \(reason)"
        case .hashMismatch(let expected, let actual): "fetched PoV hashes to \(actual), expected \(expected)"
        }
    }
}
