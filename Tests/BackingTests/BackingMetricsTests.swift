import Backing
import MetricsTestKit
import Primitives
import Testing

/// The seed's metric names, counted as the seed counts them.
@Suite(.timeLimit(.minutes(1)))
struct BackingMetricsTests {
    @Test func secondingCountsTheStatementTheCandidateAndTheTimings() async throws {
        let metrics = TestMetrics()
        let h = try await Harness(metrics: metrics)
        let candidate = try h.state.candidate(pov: [42, 43, 44], head: [4, 5, 6])
        #expect(await h.job.second(candidate.plainReceipt, pov: PoV([42, 43, 44])).accepted)
        try await h.answerValidation(of: candidate, pov: [42, 43, 44], with: h.state.validOutcome)
        while h.sink.history.count < 4 { try await Task.sleep(for: .milliseconds(2)) }
        _ = try await h.job.receive(h.state.sign(.valid(candidate.hash), by: 2))
        _ = await h.job.backedCandidates([candidate.hash])

        #expect(try metrics.expectCounter("parachain_candidate_backing_signed_statements_total").totalValue == 1)
        #expect(try metrics.expectCounter("parachain_candidate_backing_candidates_seconded_total").totalValue == 1)
        #expect(try metrics.expectTimer("parachain_candidate_backing_process_second").values.count == 1)
        #expect(try metrics.expectTimer("parachain_candidate_backing_process_statement").values.count == 1)
        #expect(try metrics.expectTimer("parachain_candidate_backing_get_backed_candidates").values.count == 1)
        #expect(try metrics.expectGauge("backingd_validation_queue_length").lastValue == 0)
    }

    @Test func rejectedStatementsAreCounted() async throws {
        let metrics = TestMetrics()
        let h = try await Harness(metrics: metrics)
        let candidate = try h.state.candidate(pov: [1], head: [])
        var forged = h.state.sign(.seconded(candidate), by: 2)
        forged.validatorIndex = 5
        await #expect(throws: StatementRejection.self) { try await h.job.receive(forged) }
        #expect(try metrics.expectCounter("backingd_statements_rejected_total").totalValue == 1)
    }
}
