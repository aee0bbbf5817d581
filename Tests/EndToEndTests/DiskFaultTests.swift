import Backing
import Foundation
import Primitives
import Synchronization
import Testing

extension CrashTests {
    /// Issue 15, item 2, against the real binary: a full disk, EIO on write and on fsync, another process
    /// holding the write lock, and a read-only file system, on each of the node's two databases
    /// (`outbox.sqlite`: web-hook outbox, journal, signing history; `node.sqlite`: available data,
    /// validation code). While the fault lasts, a request that needs durability answers 503 problem+json
    /// with `Retry-After`, `/readyz` answers 503 with the reason and the process stays up; once the fault
    /// clears the node is ready again by itself, without a trace of the refused requests; and everything
    /// acknowledged before the fault survives a `kill -9` after it.
    @Suite(.timeLimit(.minutes(3)))
    struct DiskFaultTests {
        typealias Story = CrashRecoveryTests

        enum Database: String, Sendable, CaseIterable {
            /// `outbox.sqlite`: probed with `POST /v1/statements`.
            case outbox
            /// `node.sqlite`: probed with `POST /v1/second` (its available data is stored there) and
            /// `PUT /v1/validation-code`.
            case node

            var fileName: String { self == .outbox ? "outbox.sqlite" : "node.sqlite" }
        }

        /// A fault injected by the LD_PRELOAD interposer: the failing call, its errno, and the words of
        /// `/readyz` that name it.
        enum InjectedFault: String, Sendable, CaseIterable {
            case writeEIO, fsyncEIO, readOnlyFileSystem

            var operation: String { self == .fsyncEIO ? "fsync" : "write" }
            var errno: String { self == .readOnlyFileSystem ? "EROFS" : "EIO" }
            /// SQLite reports any failed write but ENOSPC as SQLITE_IOERR_WRITE (EROFS included).
            var reason: String { self == .fsyncEIO ? "an fsync failed" : "a write failed" }
        }

        @Test(
            .enabled(if: SmallDisk.available, "needs root to mount a small tmpfs (CI runs as root)"))
        func aFullDiskAnswers503UntilSpaceIsFreedAndLosesNothing() async throws {
            let disk = try SmallDisk(megabytes: 16)
            defer { disk.remove() }
            try await run(
                probing: [.outbox, .node], reason: "the disk is full", dataDirectory: disk.directory,
                begin: { _ in try disk.fill() }, end: { disk.free() })
        }

        @Test(arguments: InjectedFault.allCases, Database.allCases)
        func anInjectedFaultAnswers503UntilItClearsAndLosesNothing(
            _ fault: InjectedFault, on database: Database
        ) async throws {
            let injector = FaultInjector()
            try await run(
                probing: [database], reason: fault.reason, environment: try injector.environment(),
                begin: { _ in injector.inject(fault.operation, fault.errno, on: database.fileName) },
                end: { injector.clear() })
        }

        @Test(arguments: Database.allCases)
        func aWriteLockHeldByAnotherProcessAnswers503UntilReleasedAndLosesNothing(on database: Database)
            async throws
        {
            let holder = Mutex<WriteLockHolder?>(nil)
            try await run(
                probing: [database], reason: "another process holds the database's write lock",
                begin: { dataDirectory in
                    let lock = try WriteLockHolder(path: dataDirectory.appendingPathComponent(database.fileName).path)
                    holder.withLock { $0 = lock }
                },
                end: { try holder.withLock { $0 }?.release() })
        }

        /// A node started on a data directory it cannot write exits 1 at once with a message naming the
        /// directory and the cause, whether its databases are there already (a file system remounted
        /// read-only) or not (a folder that cannot be created), instead of failing on an SQLite code.
        @Test(
            .enabled(if: SmallDisk.available, "needs root to mount a small tmpfs (CI runs as root)"))
        func startingOnAReadOnlyDataDirectoryExitsOneNamingTheDirectoryAndTheCause() async throws {
            let disk = try SmallDisk(megabytes: 16)
            defer { disk.remove() }
            let existing = disk.directory.appendingPathComponent("data")
            let node = BackingdProcess(arguments: ["--dev"], dataDirectory: existing)
            try await node.start()
            #expect(await node.stop() == 0)
            try runCommand("mount", ["-o", "remount,ro", disk.directory.path])
            for (directory, cause) in [
                (existing, "is on a read-only file system"),
                (disk.directory.appendingPathComponent("new"), "cannot be created (Read-only file system)"),
            ] {
                let started = ContinuousClock.now
                var failure: String?
                do {
                    try runCommand(
                        BackingdProcess.executable.path,
                        ["serve", "--dev", "--listen", "127.0.0.1:0", "--data-dir", directory.path])
                } catch let error as CommandFailure {
                    failure = error.description
                }
                let message = try #require(failure, "backingd served on a read-only \(directory.path)")
                #expect(message.contains("exited 1"), "\(message)")
                #expect(message.contains("data directory \(directory.path): \(cause)"), "\(message)")
                #expect(ContinuousClock.now - started < .seconds(10))
            }
        }

        // MARK: The scenario

        /// Para 1 at 0x05…: Charlie seconds A, our validator (Alice) attests it and `PUT /v1/validation-code`
        /// registers a code, all acknowledged before the fault; then the fault, the probes of `databases`
        /// (503 each), `/readyz`, the end of the fault, the node ready again as it was, the probes again
        /// (now acknowledged), and a `kill -9` and restart that keep all of it.
        func run(
            probing databases: Set<Database>, reason: String, environment: [String: String] = [:],
            dataDirectory: URL? = nil, begin: (_ dataDirectory: URL) async throws -> Void,
            end: () async throws -> Void
        ) async throws {
            let relayParent = Story.relayParent
            let peer = try CrashPeer()
            peer.serve(Story.povA, for: Story.candidateA.hash)
            let node = CrashNode(
                peer: peer, peers: Scenario.keys.enumerated().map { ($0.offset, $0.element.publicKey) },
                dataDirectory: dataDirectory, environment: environment)
            try await node.launch()

            // Acknowledged before the fault: the leaf, Charlie's Seconded(A), our Valid(A), a code.
            #expect(try await node.activate(Scenario.leaf()).status == 201)
            Story.expectOK(try await node.post(Story.secondedA2, at: relayParent), node)
            let ourValidA = await peer.waitForDelivery { delivery in
                delivery.event == "statement.share" && delivery.statement?.validatorIndex == 0
                    && delivery.statement?.payload == .valid(Story.candidateA.hash)
            }
            #expect(ourValidA != nil, "no Valid of ours for A:\n\(node.logs)")
            let codeBefore = Self.code(1)
            #expect(try await putCode(codeBefore, node).status == 201)
            let before = try await node.leafState(relayParent)
            #expect(LeafStateView(before)?.votes[Story.candidateA.hash.hex.lowercased()] == 2, "\(before)")

            try await begin(node.dataDirectory)
            let codeDuring = Self.code(2)
            if databases.contains(.outbox) {
                Self.expectUnavailable(try await node.post(Story.validA3, at: relayParent), "POST /v1/statements", node)
            }
            if databases.contains(.node) {
                if !databases.contains(.outbox) {
                    // Accepted (the journal takes it), then its available data cannot be stored: the validation
                    // concludes nothing, and runs again once the node has rebuilt its state.
                    let second = try await node.second(Story.candidateB, pov: Story.povB, at: relayParent)
                    #expect(second.status == 202 && second.object?["accepted"] as? Bool == true, "\(second.text)")
                    #expect(await eventually { (try? await node.api.get("/readyz"))?.status == 503 }, "\(node.logs)")
                }
                Self.expectUnavailable(try await putCode(codeDuring, node), "PUT /v1/validation-code", node)
            }

            // While the fault lasts: /readyz says why, the engine's routes answer 503, the process is up.
            for _ in 0..<2 {
                let readyz = try await node.api.get("/readyz")
                #expect(readyz.status == 503, "\(readyz.text)")
                #expect(readyz.object?["status"] as? String == "storage failure", "\(readyz.text)")
                let why = readyz.object?["reason"] as? String ?? ""
                #expect(why.contains(reason), "/readyz: \(readyz.text)")
                #expect(databases.contains { why.contains($0.fileName) }, "/readyz: \(readyz.text)")
                #expect(readyz.header("retry-after") != nil)
                Self.expectUnavailable(try await node.post(Story.validA3, at: relayParent), "POST /v1/statements", node)
                Self.expectUnavailable(
                    try await node.api.get("/v1/leaves/\(relayParent.hex)"), "GET /v1/leaves/…", node)
                #expect(try await node.api.get("/healthz").status == 200)
                // Several recovery probes fail meanwhile.
                try await Task.sleep(for: .milliseconds(800))
            }

            let metrics = try await node.api.get("/metrics").text
            #expect(
                databases.contains { metrics.contains("backingd_storage_failures_total{database=\"\($0.fileName)\"}") },
                "no storage failure counted in /metrics")

            try await end()
            #expect(
                await eventually(within: .seconds(20)) { (try? await node.api.get("/readyz"))?.status == 200 },
                "not ready after the fault cleared:\n\(node.logs.suffix(6000))")

            // Nothing of the refused requests is left: A has the two votes it had (Valid(A) of Dave was refused).
            let recovered = try await node.leafState(relayParent)
            if databases.contains(.outbox) {
                #expect(recovered == before, "\(node.logs.suffix(6000))")
            } else {
                #expect(
                    LeafStateView(recovered)?.votes[Story.candidateA.hash.hex.lowercased()] == 2, "\(recovered)")
                // The Second accepted during the fault: validated again after the rebuild, now stored and signed.
                let ourSecondedB = await peer.waitForDelivery { delivery in
                    delivery.event == "statement.share" && delivery.statement?.validatorIndex == 0
                        && delivery.statement?.payload.candidateHash == Story.candidateB.hash
                }
                #expect(ourSecondedB != nil, "our Seconded(B) never came:\n\(node.logs.suffix(6000))")
                let stored = try await node.api.get("/v1/availability/\(Story.candidateB.hash.hex)")
                #expect(stored.status == 200, "\(stored.text)")
            }

            // It works again, and what it acknowledges now survives too.
            Story.expectOK(try await node.post(Story.validA3, at: relayParent), node)
            #expect(try await putCode(codeDuring, node).status == 201)
            let after = try await node.leafState(relayParent)
            #expect(LeafStateView(after)?.votes[Story.candidateA.hash.hex.lowercased()] == 3, "\(after)")
            #expect(await node.outboxDrained(), "\(node.logs.suffix(4000))")

            await node.kill()
            try await node.launch()
            #expect(try await node.leafState(relayParent) == after, "\(node.logs.suffix(6000))")
            #expect(try await putCode(codeBefore, node).status == 200, "the code registered before the fault is gone")
            #expect(try await putCode(codeDuring, node).status == 200, "the code registered after the fault is gone")
            SigningLedger.expectConsistent(SigningLedger.signatures(in: peer.deliveries))

            #expect(await node.stop() == 0)
            await peer.stop()
            node.removeData()
        }

        func putCode(_ code: [UInt8], _ node: CrashNode) async throws -> APIClient.Answer {
            try await node.api.send("PUT", "/v1/validation-code", body: code, contentType: "application/wasm")
        }

        /// 64 KiB of validation code, distinct per `seed` (the store keeps bytes; it does not run them).
        static func code(_ seed: UInt8) -> [UInt8] {
            [0x00, 0x61, 0x73, 0x6d, seed] + [UInt8](repeating: seed, count: 65_536)
        }

        static func expectUnavailable(
            _ answer: APIClient.Answer, _ request: String, _ node: CrashNode,
            sourceLocation: SourceLocation = #_sourceLocation
        ) {
            #expect(
                answer.status == 503, "\(request) answered \(answer.status): \(answer.text)\n\(node.logs.suffix(3000))",
                sourceLocation: sourceLocation)
            #expect(
                answer.header("content-type")?.hasPrefix("application/problem+json") == true,
                "\(request): \(answer.header("content-type") ?? "no content type")", sourceLocation: sourceLocation)
            #expect(
                answer.header("retry-after") != nil, "\(request) without Retry-After", sourceLocation: sourceLocation)
        }
    }
}
