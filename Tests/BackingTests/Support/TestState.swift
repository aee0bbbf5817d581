import Backing
import CoreMetrics
import Crypto
import ErasureCoding
import Logging
import Primitives
import Testing

/// The seed's `TestState::default()`: six validators (Alice, Bob, Charlie, Dave, Ferdie, One), groups
/// [[2,0,3,5],[1],[4]], cores scheduled for paras 1, 2 and 3 (para 3 requires collator Two), session 1,
/// relay parent 0x05…; Alice is the local validator, assigned to para 1.
struct TestState {
    static let validatorNames = ["Alice", "Bob", "Charlie", "Dave", "Ferdie", "One"]
    let keys = validatorNames.map { Sr25519Keypair.dev($0) }
    let relayParent = H256(repeating: 5)
    let validationData = PersistedValidationData(
        parentHead: HeadData(bytes: [7, 8, 9]), relayParentNumber: 0, relayParentStorageRoot: .zero, maxPovSize: 1024)
    var availabilityCores: [CoreState] = [
        .scheduled(ScheduledCore(paraId: 1)), .scheduled(ScheduledCore(paraId: 2)),
        .scheduled(ScheduledCore(paraId: 3, collator: Sr25519Keypair.dev("Two").publicKey)),
    ]
    var minimumBackingVotes: UInt32? = nil
    var disabledValidators: [ValidatorIndex] = []
    /// Today's scheduling data; `nil` keeps the seed's v0.9.12 leaf.
    var claimQueue: ClaimQueue? = nil
    var nodeFeatures: NodeFeatures? = nil

    var signingContext: SigningContext { SigningContext(sessionIndex: 1, parentHash: relayParent) }

    var leaf: Leaf {
        Leaf(
            hash: relayParent, number: 1, sessionIndex: 1, validators: keys.map(\.publicKey),
            validatorGroups: [[2, 0, 3, 5], [1], [4]],
            groupRotationInfo: GroupRotationInfo(sessionStartBlock: 0, groupRotationFrequency: 100, now: 1),
            availabilityCores: availabilityCores, minimumBackingVotes: minimumBackingVotes,
            disabledValidators: disabledValidators, claimQueue: claimQueue, nodeFeatures: nodeFeatures)
    }

    /// `TestCandidateBuilder` for para 1 with the real erasure root for six validators.
    func candidate(pov: [UInt8], head: [UInt8]) throws -> CommittedCandidateReceipt {
        let erasureRoot = try ErasureCoding.erasureRoot(
            nValidators: 6, availableData: AvailableData(pov: PoV(pov), validationData: validationData))
        return CommittedCandidateReceipt(
            descriptor: CandidateDescriptor(
                paraId: 1, relayParent: relayParent, povHash: PoV(pov).hash, erasureRoot: erasureRoot),
            commitments: CandidateCommitments(headData: HeadData(bytes: head)))
    }

    /// A candidate of `para` with a V2 descriptor on `core` in `session`, and `commitments` (head data
    /// [4,5,6] and no messages unless given).
    func v2Candidate(
        para: ParaId = 1, core: CoreIndex, session: SessionIndex = 1, pov: [UInt8],
        commitments: CandidateCommitments = CandidateCommitments(headData: HeadData(bytes: [4, 5, 6]))
    ) throws -> CommittedCandidateReceipt {
        let erasureRoot = try ErasureCoding.erasureRoot(
            nValidators: 6, availableData: AvailableData(pov: PoV(pov), validationData: validationData))
        let descriptor = CandidateDescriptorV2(
            paraId: para, relayParent: relayParent, coreIndex: core, sessionIndex: session,
            persistedValidationDataHash: validationData.hash, povHash: PoV(pov).hash, erasureRoot: erasureRoot,
            paraHead: commitments.headData.hash, validationCodeHash: .zero)
        return CommittedCandidateReceipt(descriptor: CandidateDescriptor(descriptor), commitments: commitments)
    }

    /// The "Valid" answer of the seed's tests: head data [4,5,6], the fixture's validation data.
    var validOutcome: ValidationOutcome {
        .valid(CandidateCommitments(headData: HeadData(bytes: [4, 5, 6])), validationData)
    }

    func sign(_ statement: Statement, by index: UInt32) -> SignedFullStatement {
        SignedFullStatement.sign(
            statement, validatorIndex: ValidatorIndex(index), context: signingContext, keypair: keys[Int(index)])
    }
}

/// A running subsystem on the fixture leaf, with scripted validation and PoV fetching, a real
/// in-memory availability store and a recording sink.
struct Harness {
    let state: TestState
    let sink = RecordingSink()
    let validator = ScriptedValidator()
    let fetcher = ScriptedPoVFetcher()
    let store: InMemoryAvailabilityStore
    let subsystem: BackingSubsystem
    let job: BackingJob
    let configuration: BackingConfiguration

    /// The engine's defaults, except a backing timeout far beyond any scripted answer's delay. The job
    /// enforces the timeout itself, so with Polkadot's 2 s a test whose reply is merely late (hundreds
    /// of tests share two cooperative threads) would see a timeout instead of its scripted outcome. The
    /// 2 s default and its travel in every request are proven on their own (``BackingExtensionTests``).
    static let scriptedConfiguration = BackingConfiguration(backingTimeout: .seconds(60))

    /// Warnings and errors only, so test output stays readable.
    static var quietLogger: Logger {
        var logger = Logger(label: "backingd.test")
        logger.logLevel = .warning
        return logger
    }

    init(
        _ state: TestState = TestState(), keypair: Sr25519Keypair? = Sr25519Keypair.dev("Alice"),
        configuration: BackingConfiguration = Harness.scriptedConfiguration, metrics: (any MetricsFactory)? = nil,
        signingGuard: SigningGuard = SigningGuard(), store: InMemoryAvailabilityStore = InMemoryAvailabilityStore(),
        restoring journal: [JobEvent]? = nil
    ) async throws {
        self.state = state
        self.store = store
        self.configuration = configuration
        subsystem = BackingSubsystem(
            keypair: keypair,
            ports: BackingPorts(validator: validator, povFetcher: fetcher, availabilityStore: store, sink: sink),
            configuration: configuration, signingGuard: signingGuard, metricsFactory: metrics ?? MetricsSystem.factory,
            logger: Harness.quietLogger)
        if let journal {
            job = try await subsystem.restore(JournaledLeaf(leaf: state.leaf, events: journal))
        } else {
            job = try await subsystem.activate(state.leaf)
        }
    }

    /// The events the job journaled for the fixture leaf, in order.
    var journaledEvents: [JobEvent] {
        sink.journal.compactMap { record in
            guard case .event(let leaf, let event) = record, leaf == state.relayParent else { return nil }
            return event
        }
    }

    /// The signing records the job journaled.
    var signingRecords: [SigningRecord] {
        sink.journal.compactMap { record in
            guard case .signed(let signed) = record else { return nil }
            return signed
        }
    }

    /// The next outgoing message; fails the test if none comes.
    func nextMessage(sourceLocation: SourceLocation = #_sourceLocation) async throws -> OutboundMessage {
        try #require(await sink.next(), "expected an outgoing message", sourceLocation: sourceLocation)
    }

    /// Expects `DC(v)`: a dispute-coordinator import of one statement by `validator` about `candidate`.
    func expectDisputeImport(
        _ candidate: CandidateHash, by validator: UInt32, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let message = try await nextMessage(sourceLocation: sourceLocation)
        guard case .disputeStatements(let imported) = message else {
            Issue.record("expected DC(\(validator)), got \(message.event)", sourceLocation: sourceLocation)
            return
        }
        #expect(imported.candidateHash == candidate, sourceLocation: sourceLocation)
        #expect(imported.candidateReceipt.hash == candidate, sourceLocation: sourceLocation)
        #expect(imported.session == 1, sourceLocation: sourceLocation)
        #expect(imported.statements.count == 1, sourceLocation: sourceLocation)
        #expect(imported.statements.first?.validatorIndex == ValidatorIndex(validator), sourceLocation: sourceLocation)
        if let statement = imported.statements.first {
            // The dispute statement verifies on its own: the backing payload doubles as dispute evidence.
            let payload = statement.statement.payloadData(candidate: candidate, session: 1)
            #expect(
                statement.validatorPublic.isValidSignature(statement.signature, for: payload),
                sourceLocation: sourceLocation)
        }
    }

    /// Answers the next validation request, checking it is for `candidate` with the job's backing timeout.
    func answerValidation(
        of candidate: CommittedCandidateReceipt, pov: [UInt8], with outcome: ValidationOutcome,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let call = try #require(
            await validator.calls.next(), "expected a validation request", sourceLocation: sourceLocation)
        #expect(call.request.candidate.descriptor == candidate.descriptor, sourceLocation: sourceLocation)
        #expect(call.request.pov == PoV(pov), sourceLocation: sourceLocation)
        #expect(call.request.executionTimeout == configuration.backingTimeout, sourceLocation: sourceLocation)
        call.reply(outcome)
    }

    /// Answers the next PoV fetch (`nil` drops it, as the seed's `retry_works` does).
    func answerFetch(
        from validator: UInt32, candidate: CommittedCandidateReceipt, with pov: [UInt8]?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let call = try #require(await fetcher.calls.next(), "expected a PoV fetch", sourceLocation: sourceLocation)
        #expect(call.relayParent == state.relayParent, sourceLocation: sourceLocation)
        #expect(call.validator == ValidatorIndex(validator), sourceLocation: sourceLocation)
        #expect(call.candidateHash == candidate.hash, sourceLocation: sourceLocation)
        #expect(call.povHash == candidate.descriptor.povHash, sourceLocation: sourceLocation)
        call.reply(pov.map(PoV.init))
    }

    /// Expects the availability store to report `candidate` stored for six validators.
    func expectStored(_ candidate: CommittedCandidateReceipt, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        let message = try await nextMessage(sourceLocation: sourceLocation)
        #expect(
            message
                == .availabilityStored(
                    candidateHash: candidate.hash, nValidators: 6, erasureRoot: candidate.descriptor.erasureRoot),
            sourceLocation: sourceLocation)
        let stored = await store.availableData(for: candidate.hash)
        #expect(stored?.data.validationData == state.validationData, sourceLocation: sourceLocation)
    }
}
