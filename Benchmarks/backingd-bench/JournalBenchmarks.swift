import Backing
import Crypto
import Foundation
import Logging
import Primitives
import Webhooks

/// The backing journal's costs, against a real SQLite outbox on disk: statement import with the journal
/// (each batch committed and fsynced before the next, as the service answers) against the same import
/// into a sink that discards everything; the bytes the journal stores and writes per statement; and the
/// restore of 100 leaves × 100 paras × 5 statements (50,000) from the journal at start (target ≤ 2 s).
enum JournalBenchmarks {
    static let leafCount = 100

    /// Per para: its first member's Seconded and the four Valid votes of its group mates.
    static func statements(_ relayParent: Hash) -> [SignedFullStatement] {
        let context = SigningContext(sessionIndex: 1, parentHash: relayParent)
        var statements: [SignedFullStatement] = []
        for p in 0..<BenchNetwork.paras {
            let first = p * BenchNetwork.groupSize
            let candidate = CommittedCandidateReceipt(
                descriptor: CandidateDescriptor(
                    paraId: ParaId(UInt32(1000 + p)), relayParent: relayParent,
                    povHash: Blake2b.hash256([UInt8(p & 0xff)])),
                commitments: CandidateCommitments(headData: HeadData(bytes: Array("head \(p)".utf8))))
            statements.append(
                .sign(
                    .seconded(candidate), validatorIndex: ValidatorIndex(UInt32(first)), context: context,
                    keypair: BenchNetwork.keys[first]))
            for member in (first + 1)..<(first + BenchNetwork.groupSize) {
                statements.append(
                    .sign(
                        .valid(candidate.hash), validatorIndex: ValidatorIndex(UInt32(member)), context: context,
                        keypair: BenchNetwork.keys[member]))
            }
        }
        return statements
    }

    static func run() async {
        print("== journal: \(leafCount) leaves × \(BenchNetwork.paras) paras × 5 statements, SQLite on disk ==")
        let leaves = (0..<leafCount).map { i -> Leaf in
            var hash = [UInt8](repeating: 0x3c, count: 32)
            hash[0] = UInt8(i)
            return BenchNetwork.leaf(H256(unchecked: hash))
        }
        let perLeaf = leaves.map { statements($0.hash) }
        let total = perLeaf.reduce(0) { $0 + $1.count }

        let discarded = await importSeconds(leaves: leaves, statements: perLeaf, sink: BackingBenchmarks.NullSink())
        print(
            String(
                format: "import, nothing kept:              %8.0f statements/s", Double(total) / discarded))

        let directory = FileManager.default.currentDirectoryPath + "/.build/bench-journal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + WebhookOutbox.fileName
        let client = CurlClient()
        defer { client.shutdown() }
        do {
            let outbox = try WebhookOutbox(
                path: path, configuration: WebhookConfiguration(subscriptions: []), client: client)
            let written = ProcessIO.writtenBytes()
            let journaled = await importSeconds(leaves: leaves, statements: perLeaf, sink: outbox)
            let writes = ProcessIO.writtenBytes() - written
            print(
                String(
                    format: "import, journaled (commit per leaf): %8.0f statements/s  (%.2f × nothing kept)",
                    Double(total) / journaled, discarded / journaled))
            await outbox.shutdown()
            let stored = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            print(
                String(
                    format: "journal bytes per statement:       %8.0f stored, %.0f written (WAL and checkpoints)",
                    Double(stored) / Double(total), Double(writes) / Double(total)))

            let start = ContinuousClock.now
            let reopened = try WebhookOutbox(
                path: path, configuration: WebhookConfiguration(subscriptions: []), client: client)
            let journal = try await reopened.journaledLeaves()
            let read = seconds(since: start)
            let subsystem = quietSubsystem(sink: reopened)
            for leaf in journal { _ = try await subsystem.restore(leaf) }
            let restored = seconds(since: start)
            let backed = await subsystem.activeJobs.count
            precondition(backed == leafCount, "every leaf restored")
            let state = await subsystem.activeJobs[0].state()
            precondition(state.candidates.filter(\.backed).count == BenchNetwork.paras, "every candidate backed again")
            print(
                String(
                    format:
                        "restore at start:                  %8.3f s (read %.3f s), %.0f statements/s  (target ≤ 2 s)",
                    restored, read, Double(total) / restored))
            await subsystem.stopAll()
            await reopened.shutdown()
        } catch {
            print("journal benchmark failed: \(error)")
        }
    }

    /// Activates every leaf and imports its statements in one batch, waiting for each batch to be durable
    /// before the next (what `POST /v1/statements/batch` does before it answers).
    static func importSeconds(
        leaves: [Leaf], statements: [[SignedFullStatement]], sink: any OutboundMessageSink
    ) async -> Double {
        let subsystem = quietSubsystem(sink: sink)
        let start = ContinuousClock.now
        for (leaf, batch) in zip(leaves, statements) {
            do {
                let job = try await subsystem.activate(leaf)
                _ = await job.receiveVerified(batch)
                try await sink.flush()
            } catch { fatalError("benchmark leaf rejected: \(error)") }
        }
        let elapsed = seconds(since: start)
        await subsystem.stopAll()
        return elapsed
    }

    static func quietSubsystem(sink: any OutboundMessageSink) -> BackingSubsystem {
        var quiet = Logger(label: "bench")
        quiet.logLevel = .warning
        return BackingSubsystem(
            keypair: nil,
            ports: BackingPorts(
                validator: BackingBenchmarks.Unused(), povFetcher: BackingBenchmarks.Unused(),
                availabilityStore: InMemoryAvailabilityStore(), sink: sink),
            logger: quiet)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }
}

/// What this process has written (`wchar` of /proc/self/io: bytes passed to write calls).
enum ProcessIO {
    static func writtenBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("wchar:") {
            return Int(line.dropFirst("wchar:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }
}
