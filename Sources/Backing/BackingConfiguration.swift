import Foundation

/// Tunables of the backing engine.
public struct BackingConfiguration: Sendable {
    /// How long one validation may take before it counts as a failure (Polkadot's
    /// `BACKING_EXECUTION_TIMEOUT`, 2 s).
    public var backingTimeout: Duration
    /// How many validations run at once across all leaves; more wait in a queue.
    public var validationConcurrency: Int
    /// How many batches of gathered single-statement signature checks run at once per leaf. A runner
    /// holds its thread while it checks, so one core fewer than there are (at least one) leaves a
    /// thread to decode the requests that queue up meanwhile and form the next batch; the default.
    public var signatureCheckRunners: Int
    /// How many sessions the signing guard keeps its records after the session they were signed in.
    public var signingHistorySessions: UInt32

    public init(
        backingTimeout: Duration = .seconds(2), validationConcurrency: Int = 4,
        signatureCheckRunners: Int? = nil, signingHistorySessions: UInt32 = 6
    ) {
        self.signingHistorySessions = signingHistorySessions
        self.backingTimeout = backingTimeout
        self.validationConcurrency = max(1, validationConcurrency)
        self.signatureCheckRunners = max(1, signatureCheckRunners ?? ProcessInfo.processInfo.activeProcessorCount - 1)
    }
}
