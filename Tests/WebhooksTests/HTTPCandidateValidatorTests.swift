import Backing
import Foundation
import Primitives
import Testing

@testable import Webhooks

@Suite(.timeLimit(.minutes(1)))
struct HTTPCandidateValidatorTests {
    let client = CurlClient()
    static let data = PersistedValidationData(
        parentHead: HeadData(bytes: [7]), relayParentNumber: 100, relayParentStorageRoot: H256(repeating: 2),
        maxPovSize: 5_000_000)

    static func isFailure(_ outcome: ValidationOutcome) -> Bool {
        if case .failure = outcome { return true }
        return false
    }

    func request(timeout: Duration = .seconds(2), data: PersistedValidationData? = Self.data) -> ValidationRequest {
        ValidationRequest(
            candidate: Messages.receipt, pov: PoV([9]), relayParent: Messages.relayParent,
            persistedValidationData: data, validationCodeHash: nil, executionTimeout: timeout)
    }

    func validate(_ response: TestResponse, request: ValidationRequest? = nil) async throws -> (
        ValidationOutcome, RecordedRequest?
    ) {
        let receiver = try TestReceiver { _, _ in response }
        defer { receiver.stop() }
        let outcome = await HTTPCandidateValidator(url: receiver.url + "/validate", client: client)
            .validate(request ?? self.request())
        return (outcome, receiver.requests.first)
    }

    @Test func postsTheRequestAndMapsValid() async throws {
        let commitments = CandidateCommitments(headData: HeadData(bytes: [1, 2]))
        let answer = String(
            decoding: try JSONOutput.encode(["valid": ["commitments": commitments]]), as: UTF8.self)
        let (outcome, sent) = try await validate(.json(answer))

        #expect(outcome == .valid(commitments, Self.data))
        let body = try #require(sent?.json)
        #expect(sent?.path == "/validate")
        #expect(body["executionTimeoutMs"] as? Int == 2000)
        #expect((body["candidate"] as? [String: Any])?["commitmentsHash"] as? String == H256(repeating: 4).hex)
        #expect((body["pov"] as? [String: Any])?["blockData"] as? String == "0x09")
        #expect(body["persistedValidationData"] != nil)
    }

    @Test func omitsAbsentValidationData() async throws {
        let (_, sent) = try await validate(.json("{\"invalid\":{\"reason\":\"x\"}}"), request: request(data: nil))
        #expect(sent?.json?.keys.contains("persistedValidationData") == false)
    }

    @Test(arguments: [
        ("timeout", InvalidCandidate.timeout), ("bad return", .badReturn), ("BadReturn", .badReturn),
        ("pov hash mismatch", .povHashMismatch), ("execution error: trap", .executionError("trap")),
        ("weird", .other("weird")),
    ])
    func mapsInvalidReasons(_ reason: String, _ expected: InvalidCandidate) async throws {
        let (outcome, _) = try await validate(.json("{\"invalid\":{\"reason\":\"\(reason)\"}}"))
        #expect(outcome == .invalid(expected))
    }

    @Test func noAnswerInTimeIsAFailure() async throws {
        let receiver = try TestReceiver { _, _ in .hang }
        defer { receiver.stop() }
        // Only the validation is timed: stopping the receiver waits for its hanging handler.
        let start = ContinuousClock.now
        let outcome = await HTTPCandidateValidator(url: receiver.url + "/validate", client: client)
            .validate(request(timeout: .milliseconds(100)))
        let elapsed = ContinuousClock.now - start
        #expect(Self.isFailure(outcome), "expected a failure, got \(outcome)")
        // The receiver never answers (until it stops, after this), so any answer at all is the timeout's;
        // the limit is 1.1 s here. The awaiting test needs one of Swift concurrency's two threads on a 2-core
        // machine, which other suites' long synchronous tests can hold for ~11 s: hence the generous bound.
        #expect(elapsed < .seconds(30), "took \(elapsed)")
    }

    @Test(arguments: [
        TestResponse.json("not json"), .json("{}"), .json("{\"valid\":{}}"),
        .json("{\"invalid\":{\"reason\":\"x\"}}", status: 500),
    ])
    func garbageAndErrorsAreFailures(_ response: TestResponse) async throws {
        let (outcome, _) = try await validate(response)
        #expect(Self.isFailure(outcome), "expected a failure, got \(outcome)")
    }

    @Test func unreachableValidatorIsAFailure() async throws {
        let receiver = try TestReceiver()
        receiver.stop()
        let outcome = await HTTPCandidateValidator(url: receiver.url, client: client).validate(request())
        #expect(Self.isFailure(outcome), "expected a failure, got \(outcome)")
    }
}
