public import CoreMetrics
public import Crypto
public import Logging
public import Primitives
import ProspectiveParachains

/// The candidate-backing engine: one ``BackingJob`` per active leaf.
///
/// Isolation: an actor owning the leaf → job map. Requests for a leaf go to its job; requests for an
/// unknown leaf throw ``LeafError/unknownLeaf(_:)`` (the seed drops them silently; an API answers 404).
public actor BackingSubsystem {
    /// Our validator key; `nil` makes this node an observer (the seed with an empty keystore).
    public nonisolated let keypair: Sr25519Keypair?
    public nonisolated let ports: BackingPorts
    public nonisolated let configuration: BackingConfiguration
    /// Shared by every job, so the bound on concurrent validations is global.
    public nonisolated let limiter: ValidationLimiter
    /// What our validator signed, consulted before every signature (shared by every job).
    public nonisolated let signingGuard: SigningGuard
    private let logger: Logger
    /// The newest session of any leaf activated: the signing history is kept for a window behind it.
    private var latestSession: SessionIndex?
    /// The jobs of active v0.9.12 leaves, and of every relay parent async-backing leaves allow.
    private var jobs: [Hash: BackingJob] = [:]
    /// Active leaves in activation order, for listings.
    private var order: [Hash] = []
    /// Active async-backing leaves as activated (their own job may be older: a block some other leaf
    /// allowed as a relay parent before it became a leaf).
    private var asyncLeaves: [Hash: Leaf] = [:]
    /// The implicit view and prospective parachains of the async-backing leaves, shared with their jobs.
    public nonisolated let asyncBacking = AsyncBackingView()

    private let metrics: BackingMetrics

    /// - Parameters:
    ///   - signingGuard: the signing history (from the durable store); empty by default.
    ///   - metricsFactory: where the engine's metrics go; the process-wide factory by default.
    public init(
        keypair: Sr25519Keypair?, ports: BackingPorts, configuration: BackingConfiguration = BackingConfiguration(),
        signingGuard: SigningGuard = SigningGuard(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory, logger: Logger = Logger(label: "backingd.backing")
    ) {
        self.keypair = keypair
        self.signingGuard = signingGuard
        self.ports = ports
        self.configuration = configuration
        metrics = BackingMetrics(factory: metricsFactory)
        limiter = ValidationLimiter(limit: configuration.validationConcurrency, metrics: metrics)
        self.logger = logger
    }

    /// Activates a leaf and starts its job (`ActiveLeavesUpdate.activated`); activating an active leaf
    /// again with identical runtime data returns its job unchanged.
    /// - Throws: ``LeafError/alreadyActive(_:)`` for different data under an active hash, or
    ///   ``LeafError/invalidRuntimeData(field:reason:)``.
    @discardableResult
    public func activate(_ leaf: Leaf) throws(LeafError) -> BackingJob {
        try activation(of: leaf).job
    }

    /// ``activate(_:)``, saying whether the job is new (`false`: the leaf was active with this data).
    /// The activation is journaled with the leaf's runtime data; callers flush the sink before answering.
    public func activation(of leaf: Leaf) throws(LeafError) -> (job: BackingJob, created: Bool) {
        if let active = asyncLeaves[leaf.hash] {
            guard active == leaf else { throw .alreadyActive(leaf.hash) }
            // Safe because: an active async-backing leaf always has its relay parent's job.
            return (jobs[leaf.hash]!, false)
        }
        if leaf.isAsyncBacking { return try activateAsyncBacking(leaf) }
        if let job = jobs[leaf.hash] {
            guard job.leaf == leaf else { throw .alreadyActive(leaf.hash) }
            return (job, false)
        }
        try leaf.validate()
        var journal: [JournalRecord] = [.leafActivated(leaf)]
        journal += noteSession(leaf.sessionIndex)
        ports.sink.submit([], journal: journal)
        let job = start(leaf)
        logger.info(
            "leaf activated",
            metadata: [
                "leaf": "\(leaf.hash)", "number": "\(leaf.number)",
                "validatorIndex": "\(job.localValidator.map { "\($0.index)" } ?? "none")",
                "assignment": "\(job.assignment.map { "\($0)" } ?? "none")",
            ])
        return (job, true)
    }

    /// Rebuilds the job of a leaf that was active at the last stop from its journal, sending nothing
    /// again; validations in flight at the stop start again.
    /// - Throws: ``LeafError/alreadyActive(_:)`` when the leaf is active already.
    @discardableResult
    public func restore(_ journaled: JournaledLeaf) async throws(LeafError) -> BackingJob {
        let leaf = journaled.leaf
        latestSession = max(latestSession ?? leaf.sessionIndex, leaf.sessionIndex)
        if leaf.isAsyncBacking {
            guard asyncLeaves[leaf.hash] == nil else { throw .alreadyActive(leaf.hash) }
            let allowed = try asyncBacking.activate(leaf)
            for (_, state) in relayParentStates(of: leaf, allowed: allowed) { start(state, listed: false) }
            asyncLeaves[leaf.hash] = leaf
            order.append(leaf.hash)
        } else {
            guard jobs[leaf.hash] == nil else { throw .alreadyActive(leaf.hash) }
            start(leaf)
        }
        // Safe because: both branches started the leaf's own job.
        let job = jobs[leaf.hash]!
        await job.replay(journaled.events)
        logger.info(
            "leaf restored from the journal",
            metadata: ["leaf": "\(leaf.hash)", "number": "\(leaf.number)", "events": "\(journaled.events.count)"])
        return job
    }

    /// Rebuilds every journaled leaf (``restore(_:)``, in activation order), then replays the journals of
    /// the relay parents async-backing leaves allow into the states those leaves started again; a relay
    /// parent no restored leaf allows any more has its journal dropped.
    public func restore(all journaled: [JournaledLeaf]) async throws(LeafError) {
        for entry in journaled where !entry.isRelayParentOnly { try await restore(entry) }
        for entry in journaled where entry.isRelayParentOnly {
            guard let job = jobs[entry.leaf.hash], job.leaf.isAsyncBacking else {
                ports.sink.submit([], journal: [.leafDeactivated(entry.leaf.hash)])
                continue
            }
            await job.replay(entry.events)
        }
    }
    /// Activates an async-backing leaf: into the implicit view and prospective parachains, then a job for
    /// every relay parent it allows that has none yet (relay parents shared with older leaves keep theirs,
    /// statements and all).
    private func activateAsyncBacking(_ leaf: Leaf) throws(LeafError) -> (job: BackingJob, created: Bool) {
        try leaf.validate()
        let existing = jobs[leaf.hash]
        if let existing, !existing.leaf.isAsyncBacking { throw .alreadyActive(leaf.hash) }
        let allowed = try asyncBacking.activate(leaf)
        let states = relayParentStates(of: leaf, allowed: allowed)
        // A block another leaf allowed already has a state (and a journal); it is kept.
        var journal: [JournalRecord] = [existing == nil ? .leafActivated(leaf) : .relayParentBecameLeaf(leaf)]
        journal += states.filter { $0.hash != leaf.hash }.map { .relayParentStarted($0.state) }
        journal += noteSession(leaf.sessionIndex)
        ports.sink.submit([], journal: journal)
        for (_, state) in states { start(state, listed: false) }
        asyncLeaves[leaf.hash] = leaf
        order.append(leaf.hash)
        // Safe because: the view allows a leaf as its own relay parent, so its job exists now.
        let job = jobs[leaf.hash]!
        logger.info(
            "async-backing leaf activated",
            metadata: [
                "leaf": "\(leaf.hash)", "number": "\(leaf.number)", "relayParents": "\(allowed.count)",
                "validatorIndex": "\(job.localValidator.map { "\($0.index)" } ?? "none")",
                "core": "\(job.localCore.map { "\($0)" } ?? "none")",
            ])
        return (job, true)
    }

    /// The runtime data of every relay parent in `allowed` (the leaf's and its ancestors') that has no
    /// state yet.
    private func relayParentStates(of leaf: Leaf, allowed: [Hash]) -> [(hash: Hash, state: Leaf)] {
        let ancestors = Dictionary(leaf.ancestry.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        return allowed.compactMap { hash in
            guard jobs[hash] == nil else { return nil }
            if hash == leaf.hash { return (hash, leaf) }
            return ancestors[hash].map { (hash, leaf.relayParentLeaf(for: $0)) }
        }
    }

    @discardableResult
    private func start(_ leaf: Leaf, listed: Bool = true) -> BackingJob {
        let job = BackingJob(
            leaf: leaf, keypair: keypair, ports: ports, signingGuard: signingGuard, limiter: limiter,
            configuration: configuration, metrics: metrics, logger: logger, asyncBacking: asyncBacking)
        jobs[leaf.hash] = job
        if listed { order.append(leaf.hash) }
        return job
    }

    /// Notes a leaf's session; when it is the newest yet, the signing history of sessions older than
    /// the configured window is pruned (in memory now, on disk with the returned record).
    private func noteSession(_ session: SessionIndex) -> [JournalRecord] {
        guard latestSession.map({ session > $0 }) ?? true else { return [] }
        latestSession = session
        guard let keypair, session > configuration.signingHistorySessions else { return [] }
        let cutoff = session - configuration.signingHistorySessions
        signingGuard.prune(validator: keypair.publicKey, belowSession: cutoff)
        return [.signingHistoryPruned(validator: keypair.publicKey, belowSession: cutoff)]
    }

    /// Deactivates a leaf: its job ends, its background work is cancelled and its journal is dropped.
    /// - Throws: ``LeafError/unknownLeaf(_:)``.
    public func deactivate(_ hash: Hash) async throws(LeafError) {
        if asyncLeaves[hash] != nil { return await deactivateAsyncBacking(hash) }
        guard let job = jobs[hash], !job.leaf.isAsyncBacking else { throw .unknownLeaf(hash) }
        // The job journals the deactivation in its own turn, after everything it journaled before, and
        // the leaf stays listed until then, so that a new activation of the hash cannot come in between.
        await job.stop(deactivating: true)
        guard jobs[hash] === job else { return }
        jobs[hash] = nil
        order.removeAll { $0 == hash }
        logger.info("leaf deactivated", metadata: ["leaf": "\(hash)"])
    }

    /// Deactivates an async-backing leaf; the jobs of relay parents the implicit view no longer keeps end.
    private func deactivateAsyncBacking(_ hash: Hash) async {
        asyncBacking.deactivate(hash)
        asyncLeaves[hash] = nil
        order.removeAll { $0 == hash }
        let ended = jobs.filter { $0.value.leaf.isAsyncBacking && !asyncBacking.stores($0.key) }
        // A leaf whose state another leaf still allows keeps its journal, as a relay parent's; every
        // state that ends drops its own.
        if ended[hash] == nil { ports.sink.submit([], journal: [.leafBecameRelayParent(hash)]) }
        for (relayParent, job) in ended {
            jobs[relayParent] = nil
            await job.stop(deactivating: true)
        }
        logger.info(
            "async-backing leaf deactivated", metadata: ["leaf": "\(hash)", "relayParentsEnded": "\(ended.count)"])
    }

    /// `GetBackableCandidates` (§3.10 of today's rules): for each para, the backed form of each candidate
    /// in the order given, stopping at the first whose relay parent is not in view or that is not backed.
    public func backableCandidates(
        _ requested: [ParaId: [(candidateHash: CandidateHash, relayParent: Hash)]]
    ) async -> [ParaId: [BackedCandidate]] {
        var answer: [ParaId: [BackedCandidate]] = [:]
        for (para, chain) in requested {
            var backed: [BackedCandidate] = []
            for entry in chain {
                guard let job = jobs[entry.relayParent], job.leaf.isAsyncBacking,
                    let candidate = await job.backedCandidate(entry.candidateHash)
                else { break }
                backed.append(candidate)
            }
            if !backed.isEmpty { answer[para] = backed }
        }
        return answer
    }

    /// `CanSecond` (§3.11): whether some active leaf that allows `relayParent` for `para` has a chain that
    /// could take a candidate building on the head with hash `parentHeadDataHash`.
    public func canSecond(
        para: ParaId, relayParent: Hash, candidateHash: CandidateHash, parentHeadDataHash: Hash
    ) -> Bool {
        guard let job = jobs[relayParent], job.leaf.isAsyncBacking else { return false }
        let candidate = IncompleteCandidate(
            candidateHash: candidateHash, parentHeadDataHash: parentHeadDataHash, relayParent: relayParent)
        return !asyncBacking.membership(para: para, relayParent: relayParent, candidate: candidate).isEmpty
    }

    /// Whether `hash` is an active async-backing leaf.
    public func isAsyncBackingLeaf(_ hash: Hash) -> Bool { asyncLeaves[hash] != nil }

    /// The job of an active leaf.
    /// - Throws: ``LeafError/unknownLeaf(_:)``.
    public func job(_ hash: Hash) throws(LeafError) -> BackingJob {
        guard let job = jobs[hash] else { throw .unknownLeaf(hash) }
        return job
    }

    /// Active leaves' jobs in activation order.
    public var activeJobs: [BackingJob] { order.compactMap { jobs[$0] } }

    /// Stops every job (the overseer's `Conclude`).
    public func stopAll() async {
        for job in jobs.values { await job.stop() }
        jobs.removeAll()
        order.removeAll()
        asyncLeaves.removeAll()
        asyncBacking.reset()
    }
}
