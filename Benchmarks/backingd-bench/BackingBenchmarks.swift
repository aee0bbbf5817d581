import Backing
import Crypto
import Foundation
import Logging
import Primitives

/// Statement imports into one backing job, signatures checked: 100 paras × 5 validators, every
/// validator seconds its own candidate and votes Valid on its four group mates' (2,500 statements).
/// The baseline is the single-core sr25519 verify rate on the same statements, measured in the same run.
enum BackingBenchmarks {
    /// Discards messages; the benchmark measures the engine, not a web-hook outbox.
    final class NullSink: OutboundMessageSink {
        func submit(_ messages: [OutboundMessage], journal: [JournalRecord]) {}
        func flush() async {}
    }

    struct Unused: CandidateValidator, PoVFetcher {
        struct NotAvailable: Error {}
        func validate(_ request: ValidationRequest) async -> ValidationOutcome { .failure("unused") }
        func fetchPoV(
            relayParent: Hash, from validator: ValidatorIndex, validatorKey: ValidatorId, candidateHash: CandidateHash,
            povHash: Hash
        ) async throws -> PoV { throw NotAvailable() }
    }

    static func run() async {
        print("== backing: statement import into one job (100 paras × 5 validators) ==")
        let relayParent = H256(repeating: 7)
        let leaf = BenchNetwork.leaf(relayParent)
        let context = SigningContext(sessionIndex: 1, parentHash: relayParent)
        let (seconded, valid) = BenchNetwork.statements(relayParent)
        let all = seconded + valid

        // Baseline: verifying the same statements one after another on one core.
        var best = Double.infinity
        for _ in 0..<3 {
            let start = ContinuousClock.now
            for statement in all {
                let key = leaf.validators[Int(statement.validatorIndex.rawValue)]
                precondition(statement.isSignatureValid(context: context, validator: key))
            }
            best = min(best, seconds(since: start))
        }
        let verifyRate = Double(all.count) / best
        print(String(format: "baseline sr25519 verify, 1 core: %8.0f statements/s", verifyRate))

        let serial = await importRate(leaf: leaf, seconded: seconded, valid: valid, workers: 1)
        print(
            String(
                format: "import, verify on the job's actor:        %8.0f statements/s  (%.2f × verify rate)", serial,
                serial / verifyRate))
        let alone = await importRate(leaf: leaf, seconded: seconded, valid: valid, workers: 0)
        print(
            String(
                format: "import alone, signatures not checked:      %8.0f statements/s  (%.1f µs per statement)", alone,
                1e6 / alone))
        let workers = ProcessInfo.processInfo.activeProcessorCount
        let parallel = await importRate(leaf: leaf, seconded: seconded, valid: valid, workers: workers)
        print(
            String(
                format:
                    "import, verify before the actor, %d tasks: %8.0f statements/s  (%.2f × verify rate, target ≥ 0.8)",
                workers, parallel, parallel / verifyRate))
    }

    /// Best of three: a fresh job per run; the Seconded statements first (a Valid for an unknown candidate
    /// is dropped), then the Valid ones. With `workers > 1`, signatures are checked in parallel before the
    /// actor imports them; with `workers == 0` they are not checked at all (the import alone).
    private static func importRate(
        leaf: Leaf, seconded: [SignedFullStatement], valid: [SignedFullStatement], workers: Int
    ) async -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            var quiet = Logger(label: "bench")
            quiet.logLevel = .warning
            let subsystem = BackingSubsystem(
                keypair: nil,
                ports: BackingPorts(
                    validator: Unused(), povFetcher: Unused(), availabilityStore: InMemoryAvailabilityStore(),
                    sink: NullSink()),
                logger: quiet)
            let job: BackingJob
            do { job = try await subsystem.activate(leaf) } catch { fatalError("benchmark leaf rejected: \(error)") }
            let start = ContinuousClock.now
            for batch in [seconded, valid] {
                if workers == 0 {
                    _ = await job.receiveVerified(batch)
                } else if workers == 1 {
                    for statement in batch { _ = try? await job.receive(statement) }
                } else {
                    await withTaskGroup(of: Void.self) { group in
                        for w in 0..<workers {
                            group.addTask {
                                for statement in stride(from: w, to: batch.count, by: workers).map({ batch[$0] }) {
                                    guard (try? job.verify(statement)) != nil else { continue }
                                    _ = try? await job.receive(statement, verified: true)
                                }
                            }
                        }
                    }
                }
            }
            best = min(best, seconds(since: start))
            let backed = await job.state().candidates.filter(\.backed).count
            precondition(backed == 500, "every candidate should be backed, got \(backed)")
            await subsystem.stopAll()
        }
        return Double(seconded.count + valid.count) / best
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }
}
