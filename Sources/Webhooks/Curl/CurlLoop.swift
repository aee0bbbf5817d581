internal import CCurl
internal import CShims
internal import Foundation
internal import Synchronization

/// The one thread that runs a curl multi handle.
///
/// Concurrency: `multi` and every ``CurlTransfer`` are touched only on the loop thread (a dedicated
/// `Thread`, never a Dispatch or Swift-concurrency worker, because curl blocks in `curl_multi_poll`).
/// Other threads talk to it through ``inbox`` (a `Mutex`) and wake it with `curl_multi_wakeup`,
/// which libcurl documents as callable from any thread.
final class CurlLoop: @unchecked Sendable {
    // Safe because: `multi` and `transfers` are only used on the loop thread (see above); the
    // shared part, `inbox`, is a Mutex, and `curl_multi_wakeup` is thread-safe.

    /// Called exactly once with a request's outcome, on the loop thread (or on the submitting thread
    /// when the request is refused at once). It must return quickly: every transfer waits for it.
    typealias Completion = @Sendable (Result<CurlResponse, CurlError>) -> Void

    struct Submission: Sendable {
        let id: UInt64
        let request: CurlRequest
        let complete: Completion
    }

    struct Inbox {
        var submissions: [Submission] = []
        var cancellations: [UInt64] = []
        var stopping = false
        /// The multi handle is gone; nobody may wake it any more.
        var closed = false
        var nextId: UInt64 = 0
    }

    private let inbox = Mutex(Inbox())
    private let multi: UnsafeMutableRawPointer
    private var transfers: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    init(maxConnections: Int) {
        _ = curlGlobalInit
        // Safe because: curl_multi_init only fails when out of memory, where nothing else would work either.
        multi = curl_multi_init()!
        _ = cshims_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxConnections)
        let thread = Thread { [self] in run() }
        thread.name = "backingd.curl"
        thread.start()
    }

    /// Hands a request to the loop; `complete` runs on the loop thread (or here, when the task is
    /// already cancelled or the loop is stopping). Wake-ups happen under the lock so that none reaches
    /// a multi handle the loop has already cleaned up.
    func submit(_ request: CurlRequest, id: UInt64, complete: @escaping Completion) {
        let refused: CurlError? = inbox.withLock { inbox in
            // Checked under the lock so that a concurrent `cancel(id)` either sees the submission
            // or happens before this check (the task's cancelled flag is set before its handler runs).
            if inbox.stopping { return .shutdown }
            if Task.isCancelled { return .cancelled }
            inbox.submissions.append(Submission(id: id, request: request, complete: complete))
            curl_multi_wakeup(multi)
            return nil
        }
        if let refused { complete(.failure(refused)) }
    }

    /// A fresh request id.
    func makeId() -> UInt64 {
        inbox.withLock { inbox in
            inbox.nextId += 1
            return inbox.nextId
        }
    }

    /// Abandons request `id`, whether queued or running; a finished one is unaffected.
    func cancel(_ id: UInt64) {
        let queued: Submission? = inbox.withLock { inbox in
            if let index = inbox.submissions.firstIndex(where: { $0.id == id }) {
                return inbox.submissions.remove(at: index)
            }
            if !inbox.closed {
                inbox.cancellations.append(id)
                curl_multi_wakeup(multi)
            }
            return nil
        }
        queued?.complete(.failure(.cancelled))
    }

    /// Fails every request with ``CurlError/Kind/shutdown`` and ends the thread. Does not wait.
    func stop() {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return }
            inbox.stopping = true
            curl_multi_wakeup(multi)
        }
    }

    // MARK: - Loop thread

    private func run() {
        while true {
            let (submissions, cancellations, stopping) = inbox.withLock { inbox in
                defer {
                    inbox.submissions = []
                    inbox.cancellations = []
                }
                return (inbox.submissions, inbox.cancellations, inbox.stopping)
            }
            for submission in submissions { start(submission) }
            for id in cancellations {
                if let transfer = transfers.values.first(where: { $0.id == id }) {
                    finish(transfer, .failure(.cancelled))
                }
            }
            if stopping { break }
            var running: Int32 = 0
            if let error = multiError(curl_multi_perform(multi, &running)) {
                for transfer in Array(transfers.values) { finish(transfer, .failure(error)) }
            }
            collectFinished()
            // Sleeps until a socket is ready, a curl timer is due (curl shortens the wait itself),
            // or `curl_multi_wakeup` is called.
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for transfer in Array(transfers.values) { finish(transfer, .failure(.shutdown)) }
        let late = inbox.withLock { inbox in
            inbox.closed = true
            defer { inbox.submissions = [] }
            return inbox.submissions
        }
        for submission in late { submission.complete(.failure(.shutdown)) }
        curl_multi_cleanup(multi)
    }

    private func start(_ submission: Submission) {
        do {
            let transfer = try CurlTransfer(
                id: submission.id, request: submission.request, complete: submission.complete)
            if let error = multiError(curl_multi_add_handle(multi, transfer.handle)) {
                transfer.release()
                submission.complete(.failure(error))
                return
            }
            transfers[transfer.handle] = transfer
        } catch {
            submission.complete(.failure(error))
        }
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                let transfer = transfers[handle]
            else { continue }
            finish(transfer, transfer.result(message.pointee.data.result))
        }
    }

    private func finish(_ transfer: CurlTransfer, _ result: Result<CurlResponse, CurlError>) {
        transfers[transfer.handle] = nil
        _ = curl_multi_remove_handle(multi, transfer.handle)
        transfer.release()
        transfer.complete(result)
    }

    private func multiError(_ code: CURLMcode) -> CurlError? {
        do {
            try CurlError.checkMulti(code)
            return nil
        } catch {
            return error
        }
    }
}

/// `curl_global_init`, run once before the first loop starts (a lazily initialised global is
/// initialised exactly once, thread-safely).
private let curlGlobalInit: Void = {
    let code = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    precondition(code == CURLE_OK, "curl_global_init failed: \(code.rawValue)")
}()
