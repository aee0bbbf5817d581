public import GRDB
import GRDBSQLite
import Synchronization

/// Checkpoints a WAL database from a connection of its own, so that no commit waits for a checkpoint.
///
/// Why: SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages. That commit
/// then copies the WAL's pages into the database file and fsyncs it before it returns, so one request in a
/// few hundred waited a millisecond or more longer than the others (the `service-latency` p99).
/// ``takeOver(_:)`` replaces the writer's automatic checkpoint with a hook that, after a commit leaves
/// ``thresholdFrames`` or more in the WAL (SQLite's own threshold), wakes a task here. The task runs a
/// passive checkpoint, at most once per ``interval``: it copies what is committed while commits go on, and
/// the writer starts the WAL over at its next transaction once everything was copied. So the WAL grows and
/// starts over as it did, and the disk sees the same writes; only the writer no longer waits for them.
///
/// A checkpoint that fails (a full disk, an I/O error) loses nothing: the WAL keeps the committed pages and
/// the next checkpoint copies them again. It is counted in ``failures`` and tried again after the next commit.
public final class WALCheckpointer: Sendable {
    /// The shortest time between two checkpoints.
    public let interval: Duration
    /// The WAL frames after a commit from which a checkpoint follows.
    public let thresholdFrames: Int32
    private let connection: DatabaseQueue
    private let wake: AsyncStream<Void>.Continuation
    private let loop: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let state = Mutex(State())

    private struct State {
        var checkpoints = 0
        var failures = 0
        var paused = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    /// Opens a connection of its own to the WAL database at `path` and starts waiting for commits.
    /// - Throws: GRDB's error when the file cannot be opened.
    public init(path: String, thresholdFrames: Int32 = 1000, interval: Duration = .milliseconds(100)) throws {
        self.interval = interval
        self.thresholdFrames = thresholdFrames
        var configuration = Configuration()
        configuration.label = "backingd.checkpointer"
        // A checkpoint does not wait for the writer (passive); only opening the file may meet a brief lock.
        configuration.busyMode = .timeout(1)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        let (commits, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.wake = wake
        let task = Task { [weak self] in
            for await _ in commits {
                guard let self else { return }
                await self.waitWhilePaused()
                await self.checkpoint()
                try? await Task.sleep(for: self.interval)
            }
        }
        loop.withLock { $0 = task }
    }

    deinit {
        wake.finish()
        loop.withLock { $0?.cancel() }
    }

    /// Sets up the writer of `pool` (a WAL database): runs `writerSetUp` on it (its `synchronous`
    /// setting, say: GRDB switches a pool to WAL with `synchronous = NORMAL` after its `prepareDatabase` has run,
    /// so a setting made there does not last), then hands its checkpoints to a new checkpointer (``takeOver(_:)``).
    /// The one way the stores open their databases.
    /// - Throws: GRDB's error when the checkpointer's connection cannot be opened or `writerSetUp` throws.
    public static func takingOver(
        _ pool: DatabasePool, interval: Duration = .milliseconds(100),
        writerSetUp: @escaping @Sendable (Database) throws -> Void
    ) throws -> WALCheckpointer {
        let checkpointer = try WALCheckpointer(path: pool.path, interval: interval)
        try pool.writeWithoutTransaction { db in
            try writerSetUp(db)
            checkpointer.takeOver(db)
        }
        return checkpointer
    }

    /// Takes the checkpoints of `db` (the writer connection) over: its automatic checkpoint is replaced by a
    /// hook that wakes this checkpointer once a commit leaves ``thresholdFrames`` in the WAL.
    ///
    /// The hook lives as long as the connection: its state is a transaction observer that GRDB keeps until
    /// the connection closes, and it holds this checkpointer weakly.
    public func takeOver(_ db: Database) {
        let hook = WALHook(checkpointer: self)
        db.add(transactionObserver: hook, extent: .databaseLifetime)
        // Replaces the automatic checkpoint, itself a WAL hook (sqlite3_wal_autocheckpoint's documentation).
        sqlite3_wal_hook(db.sqliteConnection, walHookCallback, Unmanaged.passUnretained(hook).toOpaque())
    }

    /// Asks for a checkpoint soon (commits close together share one).
    public func noteCommit() {
        wake.yield()
    }

    /// How many checkpoints ran, and how many of them failed.
    public var statistics: (checkpoints: Int, failures: Int) {
        state.withLock { ($0.checkpoints, $0.failures) }
    }

    /// Holds checkpoints back until ``resume()`` (tests: to show that the writer does not checkpoint).
    public func pause() {
        state.withLock { $0.paused = true }
    }

    /// Lets checkpoints run again after ``pause()``.
    public func resume() {
        let waiter = state.withLock { state in
            state.paused = false
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Stops the task and closes the connection.
    public func close() {
        wake.finish()
        loop.withLock { $0?.cancel() }
        resume()
        try? connection.close()
    }

    private func waitWhilePaused() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                if !state.paused { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func checkpoint() async {
        let failed: Bool
        do {
            // Passive: copies the frames no reader still needs, without waiting for the writer or readers.
            // On GRDB's queue for this connection, not on a Swift-concurrency thread: it fsyncs.
            try await connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
            failed = false
        } catch {
            failed = true
        }
        state.withLock {
            $0.checkpoints += 1
            if failed { $0.failures += 1 }
        }
    }
}

/// The state of a writer's WAL hook: the checkpointer to wake. A transaction observer only so that GRDB keeps
/// it as long as the connection (``WALCheckpointer/takeOver(_:)``); it observes no change.
private final class WALHook: TransactionObserver, Sendable {
    weak let checkpointer: WALCheckpointer?

    init(checkpointer: WALCheckpointer) { self.checkpointer = checkpointer }

    /// Runs on the writer right after a commit, with the frames now in the WAL; must not use the connection.
    func committed(framesInWAL frames: Int32) {
        guard let checkpointer, frames >= checkpointer.thresholdFrames else { return }
        checkpointer.noteCommit()
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}

/// sqlite3_wal_hook's callback: `context` is the connection's ``WALHook``, alive while the connection is.
private func walHookCallback(
    context: UnsafeMutableRawPointer?, connection: OpaquePointer?, database: UnsafePointer<CChar>?, frames: Int32
) -> Int32 {
    if let context { Unmanaged<WALHook>.fromOpaque(context).takeUnretainedValue().committed(framesInWAL: frames) }
    return SQLITE_OK
}
