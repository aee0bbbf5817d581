import Foundation
import Testing

@testable import Webhooks

struct WebhookConfigurationTests {
    @Test func parsesSubscriptionsAndWildcard() throws {
        let subscriptions = try WebhookConfiguration.subscriptions(parsing: [
            "statement.share=http://a/1", "statement.share=http://b/2", "*=https://c/all",
        ])
        #expect(subscriptions.count == 2 + WebhookConfiguration.events.count)
        let configuration = WebhookConfiguration(subscriptions: subscriptions)
        #expect(configuration.urls(for: "statement.share") == ["http://a/1", "http://b/2", "https://c/all"])
        #expect(configuration.urls(for: "availability.stored") == ["https://c/all"])
    }

    @Test(arguments: ["nothing", "statement.shared=http://a/", "statement.share=ftp://a/", "collator.invalid=notaurl"])
    func rejectsMalformedEntries(_ spec: String) {
        #expect(throws: WebhookConfigurationError.self) { try WebhookConfiguration.subscriptions(parsing: [spec]) }
    }

    @Test func backoffDoublesToTheCapWithJitter() {
        let configuration = WebhookConfiguration(subscriptions: [])
        #expect(configuration.backoff(afterAttempts: 1, random: 0) == .milliseconds(500))
        #expect(configuration.backoff(afterAttempts: 2, random: 0) == .seconds(1))
        #expect(configuration.backoff(afterAttempts: 4, random: 0) == .seconds(4))
        #expect(configuration.backoff(afterAttempts: 30, random: 0) == .seconds(60))
        #expect(configuration.backoff(afterAttempts: 1, random: 1) == .milliseconds(600))
        #expect(configuration.backoff(afterAttempts: 1, random: -1) == .milliseconds(400))
        #expect(configuration.giveUpAfter == .seconds(86_400))
    }

    @Test func classifiesStatuses() {
        func classify(_ status: Int, _ headers: [(String, String)] = []) -> AttemptResult {
            WebhookOutbox.classify(CurlResponse(status: status, headers: headers, body: []))
        }
        #expect(classify(204) == .delivered)
        #expect(classify(500) == .retry(reason: "HTTP 500", retryAfter: nil))
        #expect(classify(408) == .retry(reason: "HTTP 408", retryAfter: nil))
        #expect(classify(429, [("Retry-After", "3")]) == .retry(reason: "HTTP 429", retryAfter: .seconds(3)))
        #expect(classify(503, [("retry-after", "7")]) == .retry(reason: "HTTP 503", retryAfter: .seconds(7)))
        #expect(classify(500, [("Retry-After", "7")]) == .retry(reason: "HTTP 500", retryAfter: nil))
        #expect(classify(404) == .permanent(reason: "HTTP 404"))
        #expect(classify(301) == .permanent(reason: "HTTP 301"))
    }

    @Test func retryAfterAcceptsAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_445_412_470)  // Wed, 21 Oct 2015 07:27:50 GMT
        #expect(WebhookOutbox.retryAfterDelay("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .seconds(10))
        #expect(WebhookOutbox.retryAfterDelay("soon", now: now) == nil)
    }
}
