public import Backing
internal import Foundation
internal import Primitives

/// Validates candidates with an external validator over HTTP (`--validation-url`, contract §5, §7.1).
///
/// POSTs `{candidate, pov, persistedValidationData?, executionTimeoutMs}` and waits at most the
/// execution timeout plus 1 s. `{"valid": {commitments, persistedValidationData}}` is valid,
/// `{"invalid": {reason}}` invalid; no answer in time, a transport error, a non-2xx status or a
/// malformed answer is a validation *failure* (no statement, no report), never retried.
///
/// Concurrency: requests go through the shared ``CurlClient``; nothing blocks the caller's thread.
public struct HTTPCandidateValidator: CandidateValidator {
    private let url: String
    private let client: CurlClient

    public init(url: String, client: CurlClient) {
        self.url = url
        self.client = client
    }

    public func validate(_ request: ValidationRequest) async -> ValidationOutcome {
        let body: [UInt8]
        do {
            body = [UInt8](
                try JSONOutput.encode(
                    RequestBody(
                        candidate: request.candidate, pov: request.pov,
                        persistedValidationData: request.persistedValidationData,
                        executionTimeoutMs: request.executionTimeout.curlMilliseconds)))
        } catch {
            return .failure("cannot encode the validation request: \(error)")
        }
        let response: CurlResponse
        do {
            response = try await client.send(
                CurlRequest(
                    method: "POST", url: url,
                    headers: [("Content-Type", "application/json"), ("Accept", "application/json")], body: body,
                    timeout: request.executionTimeout + .seconds(1), connectTimeout: .seconds(1)),
                span: "external validation")
        } catch {
            return .failure("external validator: \(error)")
        }
        guard (200..<300).contains(response.status) else {
            return .failure("external validator answered HTTP \(response.status)")
        }
        guard response.isJSON else {
            return .failure("external validator answered content type \(response.mediaType ?? ""), not JSON")
        }
        return Self.outcome(of: response.body, request: request)
    }

    /// Maps the validator's answer.
    static func outcome(of body: [UInt8], request: ValidationRequest) -> ValidationOutcome {
        let answer: Answer
        do {
            answer = try JSONInput.decode(Answer.self, from: Data(body))
        } catch {
            return .failure("malformed external validator answer: \(error)")
        }
        switch (answer.valid, answer.invalid) {
        case (let valid?, nil):
            guard let data = valid.persistedValidationData ?? request.persistedValidationData else {
                return .failure("external validator answer lacks persistedValidationData")
            }
            return .valid(valid.commitments, data)
        case (nil, let invalid?):
            return .invalid(invalidCandidate(invalid.reason))
        default:
            return .failure("external validator answer is neither {\"valid\": …} nor {\"invalid\": …}")
        }
    }

    /// Polkadot's `InvalidCandidate` for a reason string, matched loosely (case, spaces, `_`, `-`).
    static func invalidCandidate(_ reason: String) -> InvalidCandidate {
        let key = reason.lowercased().filter { $0.isLetter || $0.isNumber || $0 == ":" }
        switch key {
        case "timeout": return .timeout
        case "badreturn": return .badReturn
        case "invalidoutputs": return .invalidOutputs
        case "badparent": return .badParent
        case "povhashmismatch": return .povHashMismatch
        case "badsignature", "badcollatorsignature": return .badSignature
        case "paraheadhashmismatch": return .paraHeadHashMismatch
        case "codehashmismatch", "validationcodehashmismatch": return .codeHashMismatch
        case "persistedvalidationdatamismatch", "persistedvalidationdatahashmismatch":
            return .persistedValidationDataMismatch
        case "codedecompressionfailure": return .codeDecompressionFailure
        case "povdecompressionfailure": return .povDecompressionFailure
        default:
            if key.hasPrefix("executionerror:"), let colon = reason.firstIndex(of: ":") {
                return .executionError(reason[reason.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            return .other(reason)
        }
    }
}

private struct RequestBody: Encodable {
    let candidate: CandidateReceipt
    let pov: PoV
    let persistedValidationData: PersistedValidationData?
    let executionTimeoutMs: Int
}

private struct Answer: Decodable {
    struct Valid: Decodable {
        let commitments: CandidateCommitments
        let persistedValidationData: PersistedValidationData?
    }
    struct Invalid: Decodable {
        let reason: String
    }
    let valid: Valid?
    let invalid: Invalid?
}
