import Synchronization

/// Gathers signature checks from concurrent callers into batches, so that under load they cost a
/// batch verification's share (a fifth to a half of a single verification) instead of one each.
///
/// Works like a group commit: a caller that finds a free runner slot (one per core) checks whatever is
/// queued, its own item included, in one batch; callers that find every slot busy wait in the queue
/// and are answered by the next batch. A lone caller therefore checks its item at once, alone, with
/// no added latency. A caller checks one batch only (its own answer must not wait behind later
/// arrivals); if more items queued meanwhile, it hands its slot to a task that drains them.
///
/// Concurrency: the queue is a `Mutex`; checks run outside it, on the callers' threads or the drain
/// task's, never on an actor.
final class SignatureBatcher<Item: Sendable>: Sendable {
    private struct Waiting: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State: Sendable {
        var queue: [Waiting] = []
        var runners = 0
    }

    private let state = Mutex(State())
    private let runnerLimit: Int
    private let batchLimit: Int
    private let check: @Sendable ([Item]) -> [Bool]

    /// - Parameters:
    ///   - runners: how many batches may be checked at once (the number of cores).
    ///   - batchLimit: the most items one batch takes.
    ///   - check: answers for each item, in order.
    init(runners: Int, batchLimit: Int = 256, check: @escaping @Sendable ([Item]) -> [Bool]) {
        runnerLimit = max(1, runners)
        self.batchLimit = max(1, batchLimit)
        self.check = check
    }

    /// Whether `item` passes the check.
    func verify(_ item: Item) async -> Bool {
        await withCheckedContinuation { continuation in
            let leads = state.withLock { state -> Bool in
                state.queue.append(Waiting(item: item, continuation: continuation))
                guard state.runners < runnerLimit else { return false }
                state.runners += 1
                return true
            }
            // Another runner may have taken this item already; then the slot was freed with the empty batch.
            guard leads, runBatch() else { return }
            let more = state.withLock { state -> Bool in
                if state.queue.isEmpty {
                    state.runners -= 1
                    return false
                }
                return true
            }
            // The slot passes to the drain task, which gives it back when the queue is empty.
            if more { Task { self.drain() } }
        }
    }

    /// Checks batches until the queue is empty, then frees the slot.
    private func drain() {
        while runBatch() {}
    }

    /// Checks the oldest queued items as one batch; `false` (and the slot freed) when none were queued.
    @discardableResult
    private func runBatch() -> Bool {
        let batch = state.withLock { state -> [Waiting] in
            let batch = Array(state.queue.prefix(batchLimit))
            state.queue.removeFirst(batch.count)
            if batch.isEmpty { state.runners -= 1 }
            return batch
        }
        guard !batch.isEmpty else { return false }
        let answers = check(batch.map(\.item))
        for (waiting, answer) in zip(batch, answers) { waiting.continuation.resume(returning: answer) }
        return true
    }
}
