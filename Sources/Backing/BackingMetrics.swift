public import CoreMetrics

/// The seed's metrics (`parachain_candidate_backing_*`) plus backingd's own, through swift-metrics.
///
/// Built from an explicit factory so that the service can hand in its Prometheus registry and tests a
/// recording factory, without touching the process-wide bootstrap.
public struct BackingMetrics: Sendable {
    let signedStatements: Counter
    let candidatesSeconded: Counter
    let processSecond: Timer
    let processStatement: Timer
    let getBackedCandidates: Timer
    let statementsRejected: Counter
    let candidatesBacked: Counter
    let validationQueueLength: Gauge
    let validationsRunning: Gauge
    /// Statements the signing guard refused to sign, by the rule they would have broken.
    let signingRefusedMultipleCandidates: Counter
    let signingRefusedValidityDoubleVote: Counter

    public init(factory: any MetricsFactory) {
        signedStatements = Counter(label: "parachain_candidate_backing_signed_statements_total", factory: factory)
        candidatesSeconded = Counter(label: "parachain_candidate_backing_candidates_seconded_total", factory: factory)
        processSecond = Timer(label: "parachain_candidate_backing_process_second", factory: factory)
        processStatement = Timer(label: "parachain_candidate_backing_process_statement", factory: factory)
        getBackedCandidates = Timer(label: "parachain_candidate_backing_get_backed_candidates", factory: factory)
        statementsRejected = Counter(label: "backingd_statements_rejected_total", factory: factory)
        candidatesBacked = Counter(label: "backingd_candidates_backed_total", factory: factory)
        validationQueueLength = Gauge(label: "backingd_validation_queue_length", factory: factory)
        validationsRunning = Gauge(label: "backingd_validations_running", factory: factory)
        signingRefusedMultipleCandidates = Counter(
            label: "backingd_signing_refused_total", dimensions: [("reason", "multipleCandidates")], factory: factory)
        signingRefusedValidityDoubleVote = Counter(
            label: "backingd_signing_refused_total", dimensions: [("reason", "validityDoubleVote")], factory: factory)
    }

    /// The refusal counter of `refusal`'s rule.
    func signingRefused(_ refusal: SigningRefusal) -> Counter {
        switch refusal {
        case .multipleCandidates: signingRefusedMultipleCandidates
        case .validityDoubleVote: signingRefusedValidityDoubleVote
        }
    }

    /// Times `body` into `timer`.
    func time<T>(_ timer: Timer, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer { record(timer, since: start) }
        return try body()
    }

    /// Records the time since `start` into `timer`.
    func record(_ timer: Timer, since start: ContinuousClock.Instant) {
        let elapsed = (ContinuousClock.now - start).components
        timer.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
    }
}
