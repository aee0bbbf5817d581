import Metrics

/// The seed's metrics (`parachain_candidate_backing_*`), through swift-metrics.
struct BackingMetrics: Sendable {
    let signedStatements = Counter(label: "parachain_candidate_backing_signed_statements_total")
    let candidatesSeconded = Counter(label: "parachain_candidate_backing_candidates_seconded_total")
    let processSecond = Timer(label: "parachain_candidate_backing_process_second")
    let processStatement = Timer(label: "parachain_candidate_backing_process_statement")
    let getBackedCandidates = Timer(label: "parachain_candidate_backing_get_backed_candidates")
    let statementsRejected = Counter(label: "backingd_statements_rejected_total")
    let candidatesBacked = Counter(label: "backingd_candidates_backed_total")

    static let shared = BackingMetrics()

    /// Times `body` into `timer`.
    func time<T>(_ timer: Timer, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer {
            let elapsed = (ContinuousClock.now - start).components
            timer.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        }
        return try body()
    }
}
