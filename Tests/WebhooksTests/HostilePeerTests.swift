import Backing
import Foundation
import Primitives
import Synchronization
import Testing

@testable import Webhooks

/// Issue 15, item 5: the parties backingd calls out to (a PoV peer, the external validator, a web-hook
/// receiver) answering slowly byte by byte, with a body that never ends, with a redirect loop or with
/// the wrong content type. Each call is bounded in time and bytes and ends in a plain failure; a hostile
/// receiver holds up neither the outbox nor the other receivers' deliveries.
@Suite(.timeLimit(.minutes(1)))
struct HostilePeerTests {
    let client = CurlClient()
    let peer = Sr25519Public(repeating: 1)
    let pov = PoV([1, 2, 3, 4])

    /// Runs `call` against a receiver that answers every request with `response` (`nil`: a redirect to
    /// itself). - Returns: the error or value, how long it took, how many requests the receiver saw and
    /// how many bytes of endless body it sent.
    func against<T: Sendable>(
        _ response: TestResponse?, _ call: @Sendable (String) async -> T
    ) async throws -> (result: T, elapsed: Duration, requests: Int, streamed: Int) {
        let url = Mutex("")
        let receiver = try TestReceiver { _, _ in response ?? .redirect(to: url.withLock { $0 }) }
        defer { receiver.stop() }
        url.withLock { $0 = receiver.url + "/loop" }
        let start = ContinuousClock.now
        let result = await call(receiver.url)
        return (result, ContinuousClock.now - start, receiver.requests.count, receiver.hostileBytesSent)
    }

    func fetch(_ base: String, timeout: Duration = .seconds(1)) async -> Result<PoV, PoVFetchError> {
        let fetcher = HTTPPoVFetcher(peers: [peer: base], client: client, timeout: timeout)
        do {
            return .success(
                try await fetcher.fetchPoV(
                    relayParent: .zero, from: 0, validatorKey: peer, candidateHash: H256(repeating: 0xC4),
                    povHash: pov.hash))
        } catch let error as PoVFetchError {
            return .failure(error)
        } catch {
            return .failure(.malformed("not a PoVFetchError: \(error)"))
        }
    }

    static let povJSON = Array(#"{"blockData":"0x01020304"}"#.utf8)

    // MARK: PoV peers

    @Test func aPoVPeerDrippingBytesIsCutOffAtTheFetchTimeout() async throws {
        let run = try await against(.hostile(.drip(.milliseconds(50)))) { await fetch($0) }
        guard case .failure(.transport(let error)) = run.result else {
            Issue.record("expected a transport failure, got \(run.result)")
            return
        }
        #expect(error.kind == .easy(code: 28), "\(error)")  // CURLE_OPERATION_TIMEDOUT
        // Bounded, not fast: the drip would last 14 hours; the bound leaves room for the parallel suites.
        #expect(run.elapsed < .seconds(30), "took \(run.elapsed)")
        #expect(run.streamed < 4_096)
    }

    @Test func aPoVPeerSendingAnEndlessBodyIsCutOffAtTheResponseCap() async throws {
        let run = try await against(.hostile(.endless)) { await fetch($0, timeout: .seconds(20)) }
        guard case .failure(.transport(let error)) = run.result else {
            Issue.record("expected a transport failure, got \(run.result)")
            return
        }
        #expect(error.kind == .responseTooLarge, "\(error)")
        #expect(run.elapsed < .seconds(30), "took \(run.elapsed)")
        // The cap, plus what the kernel's socket buffers held when the transfer was dropped.
        #expect(run.streamed < HTTPPoVFetcher.maxResponseBytes + (16 << 20), "\(run.streamed >> 20) MiB sent")
    }

    @Test func aPoVPeerRedirectingInALoopIsNotFollowed() async throws {
        let run = try await against(nil) { await fetch($0) }
        #expect(run.result == .failure(.status(302)))
        #expect(run.requests == 1)
    }

    @Test func aPoVPeerAnsweringAnotherContentTypeIsRefused() async throws {
        let html = TestResponse(status: 200, headers: [("Content-Type", "text/html")], body: Self.povJSON)
        let run = try await against(html) { await fetch($0) }
        #expect(run.result == .failure(.contentType("text/html")))
        // JSON with parameters, or a +json type, is JSON.
        let json = TestResponse(
            status: 200, headers: [("Content-Type", "application/json; charset=utf-8")], body: Self.povJSON)
        #expect(try await against(json) { await fetch($0) }.result == .success(pov))
    }

    // MARK: The external validator

    func validate(_ base: String) async -> ValidationOutcome {
        await HTTPCandidateValidator(url: base + "/validate", client: client).validate(
            ValidationRequest(
                candidate: Messages.receipt, pov: PoV([9]), relayParent: Messages.relayParent,
                persistedValidationData: nil, validationCodeHash: nil, executionTimeout: .seconds(1)))
    }

    static func failureReason(_ outcome: ValidationOutcome) -> String? {
        if case .failure(let reason) = outcome { return reason }
        return nil
    }

    @Test func anExternalValidatorDrippingBytesIsAFailureAfterTheExecutionTimeoutAndOneSecond() async throws {
        let run = try await against(.hostile(.drip(.milliseconds(50)))) { await validate($0) }
        let reason = try #require(Self.failureReason(run.result), "\(run.result)")
        #expect(reason.contains("external validator") && reason.contains("curl error 28"), "\(reason)")
        #expect(run.elapsed < .seconds(30), "took \(run.elapsed)")  // bounded (see the PoV drip)
    }

    @Test func anExternalValidatorSendingAnEndlessBodyIsAFailureAtTheResponseCap() async throws {
        let run = try await against(.hostile(.endless)) { await validate($0) }
        let reason = try #require(Self.failureReason(run.result), "\(run.result)")
        #expect(reason.contains("larger than"), "\(reason)")
        #expect(run.streamed < (16 << 20) + (16 << 20), "\(run.streamed >> 20) MiB sent")
    }

    @Test func anExternalValidatorRedirectingIsAFailureNotFollowed() async throws {
        let run = try await against(nil) { await validate($0) }
        #expect(Self.failureReason(run.result) == "external validator answered HTTP 302")
        #expect(run.requests == 1)
    }

    @Test func anExternalValidatorAnsweringAnotherContentTypeIsAFailure() async throws {
        let text = TestResponse(
            status: 200, headers: [("Content-Type", "text/plain")], body: Array(#"{"invalid":{"reason":"x"}}"#.utf8))
        let run = try await against(text) { await validate($0) }
        #expect(Self.failureReason(run.result) == "external validator answered content type text/plain, not JSON")
    }

    // MARK: Web-hook receivers

    /// A receiver that drips, one that never ends its body and one that redirects in a loop each fail
    /// their deliveries within the request timeout (and retry later); a well-behaved receiver subscribed
    /// to the same events gets every delivery meanwhile.
    @Test func hostileReceiversFailTheirOwnDeliveriesAndHoldUpNoOneElses() async throws {
        let directory = try TemporaryDirectory()
        let good = try TestReceiver()
        defer { good.stop() }
        let drip = try TestReceiver { _, _ in .hostile(.drip(.milliseconds(50))) }
        defer { drip.stop() }
        let endless = try TestReceiver { _, _ in .hostile(.endless) }
        defer { endless.stop() }
        let loopURL = Mutex("")
        let loop = try TestReceiver { _, _ in .redirect(to: loopURL.withLock { $0 }) }
        defer { loop.stop() }
        loopURL.withLock { $0 = loop.url + "/hook" }
        let configuration = WebhookConfiguration(
            subscriptions: try WebhookConfiguration.subscriptions(parsing: [
                "*=\(good.url)/hook", "*=\(drip.url)/hook", "*=\(endless.url)/hook", "*=\(loop.url)/hook",
            ]), initialBackoff: .seconds(30), maxBackoff: .seconds(30), requestTimeout: .seconds(1),
            connectTimeout: .seconds(1))
        let outbox = try WebhookOutbox(path: directory.database, configuration: configuration, client: client)
        outbox.start()
        let start = ContinuousClock.now
        outbox.submit(Messages.all)
        try await outbox.flush()
        #expect(await good.waitForRequests(Messages.all.count).count == Messages.all.count)
        // Each hostile URL's deliveries failed within the 1 s request timeout, with slack for the debug
        // build, and wait for their retry; nothing of theirs was delivered, and the redirect was not
        // followed (one request per attempt).
        var heads: [String: DeliveryRecord] = [:]
        let hostile = [drip, endless, loop].map { "\($0.url)/hook" }
        while ContinuousClock.now - start < .seconds(30) {
            let records = try await outbox.deliveries(status: nil, limit: 1_000)
            heads = Dictionary(
                records.filter { hostile.contains($0.url) && $0.attempts > 0 }.map { ($0.url, $0) },
                uniquingKeysWith: { first, _ in first })
            if heads.count == hostile.count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(Set(heads.keys) == Set(hostile), "\(heads.keys)")
        let records = try await outbox.deliveries(status: nil, limit: 1_000)
        for url in hostile {
            #expect(!records.contains { $0.url == url && $0.status == .delivered }, "\(url)")
            #expect(heads[url]?.lastError != nil, "\(url)")
        }
        #expect(loop.requests.count == records.filter { $0.url == "\(loop.url)/hook" }.reduce(0) { $0 + $1.attempts })
        // Each attempt is cut off at the 1 MiB cap on a receiver's answer (plus what socket buffers held).
        #expect(endless.hostileBytesSent < Messages.all.count * ((1 << 20) + (8 << 20)))
        await outbox.shutdown()
    }
}
