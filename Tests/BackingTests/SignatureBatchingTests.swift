import Crypto
import Foundation
import Primitives
import Synchronization
import Testing

@testable import Backing

/// Statements checked in batches give exactly the answers of one-by-one checks, and concurrent
/// single statements are gathered into batches.
@Suite(.timeLimit(.minutes(1)))
struct SignatureBatchingTests {
    @Test func aBatchNamesEachForgedOrOutOfRangeStatementAndPassesTheRest() async throws {
        let h = try await Harness(keypair: nil)
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        var statements = (0..<6).map { h.state.sign(.seconded(candidate), by: $0) }
        statements[3].validatorIndex = 4  // Dave's signature claimed as Eve's
        statements[5].validatorIndex = 6  // outside the set of six
        let answers = h.job.verify(statements)
        #expect(answers[0] == nil && answers[1] == nil && answers[2] == nil && answers[4] == nil)
        #expect(answers[3] == .badSignature(4))
        #expect(answers[5] == .validatorIndexOutOfBounds(6, validatorCount: 6))
        for (statement, answer) in zip(statements, answers) {
            #expect((try? h.job.verify(statement)) != nil ? answer == nil : answer != nil)
        }
        #expect(h.job.verify([]).isEmpty)
    }

    @Test func gatheredChecksAnswerEachCallerAsASingleCheckWould() async throws {
        let h = try await Harness(keypair: nil)
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let good = (0..<6).map { h.state.sign(.seconded(candidate), by: $0) }
        var forged = good[1]
        forged.validatorIndex = 2
        let inputs = Array(repeating: good, count: 20).flatMap { $0 } + Array(repeating: forged, count: 7)
        let answers = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, statement) in inputs.enumerated() {
                group.addTask {
                    do {
                        try await h.job.verifyGathered(statement)
                        return (index, true)
                    } catch {
                        return (index, false)
                    }
                }
            }
            var answers = [Bool](repeating: false, count: inputs.count)
            for await (index, answer) in group { answers[index] = answer }
            return answers
        }
        #expect(answers.prefix(120).allSatisfy { $0 })
        #expect(answers.suffix(7).allSatisfy { !$0 })
    }

    @Test func concurrentCallersShareBatchesAndALoneCallerIsCheckedAtOnce() async throws {
        let batchSizes = Mutex<[Int]>([])
        let gate = Mutex(false)
        let batcher = SignatureBatcher<Int>(runners: 1) { items in
            batchSizes.withLock { $0.append(items.count) }
            // The first batch waits until every caller is queued, so the rest must share one batch.
            while !gate.withLock({ $0 }) { usleep(100) }
            return items.map { $0 % 2 == 0 }
        }
        // The first caller runs on a thread of its own, so that holding its batch blocks no thread of the
        // cooperative pool, which the other callers (and other suites' tests) need.
        let first = Task(executorPreference: DispatchQueueExecutor(label: "first-caller")) { await batcher.verify(0) }
        while batchSizes.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
        let others = (1...40).map { value in Task { await batcher.verify(value) } }
        try await Task.sleep(for: .milliseconds(100))  // lets the 40 callers queue behind the busy runner
        gate.withLock { $0 = true }
        #expect(await first.value)
        for (offset, task) in others.enumerated() { #expect(await task.value == ((offset + 1) % 2 == 0)) }
        let sizes = batchSizes.withLock { $0 }
        #expect(sizes.first == 1)
        #expect(sizes.count < 10, "40 queued callers were checked in \(sizes.count - 1) batches: \(sizes)")
        #expect(sizes.reduce(0, +) == 41)
        // Idle again: the next caller is checked alone, at once.
        #expect(await batcher.verify(2))
        #expect(batchSizes.withLock { $0.last } == 1)
    }
}

/// A task executor that runs its jobs on a serial dispatch queue, off Swift's cooperative pool: a test task
/// that must block its thread (to hold a batch open) runs there.
final class DispatchQueueExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) { queue = DispatchQueue(label: label) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
