import Backing
import Crypto
import Foundation
import HTTPServer
import Primitives
import TestSupport
import Testing
import Webhooks

/// `GET /v1/events` from the real binary over loopback: every web-hook event as Server-Sent Events, live and
/// resumed after a disconnect, filtered by name, with heartbeats.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct EventStreamTests {
    /// Traffic that makes an observer node (no validator key) emit events: at leaf `round`, validators 2, 3
    /// and 5 of para 1's group [2, 0, 3, 5] vote for one candidate, which gives a `dispute.statements` per
    /// statement and a `provisioner.backed` once the quorum is reached.
    enum Traffic {
        static func leafHash(_ round: Int) -> Hash { H256(repeating: UInt8(0x10 + round)) }

        static func statements(round: Int) -> [SignedFullStatement] {
            let hash = leafHash(round)
            let pov = PoV([UInt8(round), 1, 2])
            let candidate = CommittedCandidateReceipt(
                descriptor: CandidateDescriptor(
                    paraId: 1, relayParent: hash, povHash: pov.hash, erasureRoot: H256(repeating: 0xEE)),
                commitments: CandidateCommitments(headData: HeadData(bytes: [4, 5, 6])))
            let context = SigningContext(sessionIndex: 1, parentHash: hash)
            func sign(_ statement: Statement, _ index: UInt32) -> SignedFullStatement {
                .sign(
                    statement, validatorIndex: ValidatorIndex(index), context: context,
                    keypair: Scenario.keys[Int(index)])
            }
            return [sign(.seconded(candidate), 2), sign(.valid(candidate.hash), 3), sign(.valid(candidate.hash), 5)]
        }

        /// Activates leaf `round` and posts its statements one request at a time; every answer must be 2xx
        /// (so its events are committed before it).
        static func run(round: Int, on api: APIClient) async throws {
            let leaf = try await api.send(
                "POST", "/v1/leaves", body: try Scenario.json(Scenario.leaf(hash: leafHash(round))))
            #expect(leaf.status == 201, "\(leaf.text)")
            for statement in statements(round: round) {
                let answer = try await api.send(
                    "POST", "/v1/statements",
                    body: try Scenario.json(Scenario.StatementBody(relayParent: leafHash(round), statement: statement)))
                #expect(answer.status == 200, "\(answer.text)")
            }
        }
    }

    /// What one round of ``Traffic`` emits, in order.
    static let roundEvents = ["dispute.statements", "dispute.statements", "dispute.statements", "provisioner.backed"]

    static func expectGrowingIDs(
        _ messages: [EventStreamClient.Message], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            zip(messages, messages.dropFirst()).allSatisfy { $0.id < $1.id }, "\(messages)",
            sourceLocation: sourceLocation)
    }

    @Test func aSubscriberGetsEveryEventOnceInOrderWithGrowingIdsAndTheExactWebhookBodies() async throws {
        let peer = try TestPeer()
        defer { Task { await peer.stop() } }
        peer.on("/hooks") { _ in HTTPResponse(status: 204) }
        let node = BackingdProcess(arguments: ["--webhook", "*=\(peer.url)/hooks"])
        try await node.start()
        let curl = CurlClient()
        defer { curl.shutdown() }
        let api = APIClient(baseURL: node.baseURL, client: curl)
        let client = try await EventStreamClient(baseURL: node.baseURL)
        #expect(client.status == 200)
        #expect(client.headers["content-type"] == "text/event-stream; charset=utf-8")
        #expect(client.headers["transfer-encoding"] == "chunked")
        #expect((try await api.get("/metrics")).text.contains("backingd_event_streams_open 1.0"))

        for round in 0..<3 { try await Traffic.run(round: round, on: api) }
        let messages = await client.waitForMessages(12)
        let hooks = await peer.waitFor(12, to: "/hooks")
        #expect(messages.count == 12, "\(node.logs.value)")
        #expect(messages.map(\.event) == Array(repeating: Self.roundEvents, count: 3).flatMap { $0 })
        Self.expectGrowingIDs(messages)
        // One message per event, its data the web-hook body byte for byte, on one `data:` line.
        #expect(messages.map(\.event) == hooks.map { $0.event ?? "" })
        #expect(messages.map(\.data) == hooks.map { String(decoding: $0.body, as: UTF8.self) })
        #expect(messages.allSatisfy { $0.dataLines == 1 })
        client.disconnect()
        #expect(await node.stop() == 0)
    }

    @Test func resumingWithLastEventIDAfterADisconnectGivesEveryLaterEventOnceInOrderThenTheLiveOnes() async throws {
        // No web-hook URL: the events are streamed all the same.
        let node = BackingdProcess(arguments: [])
        try await node.start()
        let curl = CurlClient()
        defer { curl.shutdown() }
        let api = APIClient(baseURL: node.baseURL, client: curl)
        let watcher = try await EventStreamClient(baseURL: node.baseURL)
        let first = try await EventStreamClient(baseURL: node.baseURL)

        try await Traffic.run(round: 0, on: api)
        #expect(await first.waitForMessages(4).count == 4)
        first.disconnect()
        let lastSeen = try #require(first.lastID)
        // Missed while disconnected.
        try await Traffic.run(round: 1, on: api)
        try await Traffic.run(round: 2, on: api)

        let resumed = try await EventStreamClient(baseURL: node.baseURL, headers: ["Last-Event-ID": "\(lastSeen)"])
        let byParameter = try await EventStreamClient(
            baseURL: node.baseURL, target: "/v1/events?lastEventId=\(lastSeen)")
        let fresh = try await EventStreamClient(baseURL: node.baseURL)
        #expect(await resumed.waitForMessages(8).count == 8)
        #expect(await byParameter.waitForMessages(8).count == 8)
        // Replayed, then live without a gap or a duplicate.
        try await Traffic.run(round: 3, on: api)
        let all = await watcher.waitForMessages(16)
        #expect(all.count == 16)
        Self.expectGrowingIDs(all)
        let missed = all.filter { $0.id > lastSeen }
        #expect(missed.count == 12)
        #expect(await resumed.waitForMessages(12) == missed)
        #expect(await byParameter.waitForMessages(12) == missed)
        // Without an id only what is committed after connecting.
        #expect(await fresh.waitForMessages(4) == Array(all.suffix(4)))
        try await Task.sleep(for: .milliseconds(200))
        #expect(resumed.messages.count == 12)
        #expect(fresh.messages.count == 4)
        for client in [watcher, resumed, byParameter, fresh] { client.disconnect() }
        #expect(await node.stop() == 0)
    }

    @Test func theEventsParameterFiltersByNameAndABadValueIsA400NamingIt() async throws {
        let node = BackingdProcess(arguments: [])
        try await node.start()
        let curl = CurlClient()
        defer { curl.shutdown() }
        let api = APIClient(baseURL: node.baseURL, client: curl)
        let all = try await EventStreamClient(baseURL: node.baseURL)
        let backed = try await EventStreamClient(baseURL: node.baseURL, target: "/v1/events?events=provisioner.backed")
        let two = try await EventStreamClient(
            baseURL: node.baseURL, target: "/v1/events?events=provisioner.backed,dispute.statements")

        for round in 0..<2 { try await Traffic.run(round: round, on: api) }
        let everything = await all.waitForMessages(8)
        #expect(everything.count == 8)
        #expect(await backed.waitForMessages(2) == everything.filter { $0.event == "provisioner.backed" })
        #expect(await two.waitForMessages(8) == everything)
        try await Task.sleep(for: .milliseconds(200))
        #expect(backed.messages.count == 2)

        let unknown = try await api.get("/v1/events?events=provisioner.backed,statement.nope")
        #expect(unknown.status == 400)
        #expect(unknown.header("content-type") == "application/problem+json")
        let detail = unknown.object?["detail"] as? String ?? ""
        #expect(detail.hasPrefix("events: ") && detail.contains("statement.nope"), "\(detail)")
        let empty = try await api.get("/v1/events?events=")
        #expect(empty.status == 400)
        #expect((empty.object?["detail"] as? String)?.hasPrefix("events: ") == true)
        let badID = try await api.send("GET", "/v1/events", headers: [("Last-Event-ID", "forty-two")])
        #expect(badID.status == 400)
        #expect((badID.object?["detail"] as? String)?.hasPrefix("Last-Event-ID: ") == true, "\(badID.text)")
        let badParameter = try await api.get("/v1/events?lastEventId=-1")
        #expect(badParameter.status == 400)
        #expect((badParameter.object?["detail"] as? String)?.hasPrefix("lastEventId: ") == true)
        // The header wins over the parameter, but a bad parameter is not ignored for it.
        let overridden = try await api.send(
            "GET", "/v1/events?lastEventId=9223372036854775808", headers: [("Last-Event-ID", "0")])
        #expect(overridden.status == 400)
        #expect((overridden.object?["detail"] as? String)?.hasPrefix("lastEventId: ") == true, "\(overridden.text)")
        for client in [all, backed, two] { client.disconnect() }
        #expect(await node.stop() == 0)
    }

    @Test func aHeartbeatCommentArrivesWhileNoEventDoes() async throws {
        let node = BackingdProcess(arguments: ["--event-heartbeat", "200ms"])
        try await node.start()
        let client = try await EventStreamClient(baseURL: node.baseURL)
        #expect(await eventually(within: .seconds(10)) { client.comments.count >= 2 })
        #expect(client.comments.allSatisfy { $0 == "heartbeat" })
        #expect(client.messages.isEmpty)
        client.disconnect()
        #expect(await node.stop() == 0)
    }
}

extension CrashTests {
    /// `GET /v1/events` across `kill -9`: the event log commits with the outbox, so a client resumes where
    /// it left off on the restarted node.
    @Suite(.timeLimit(.minutes(3)))
    struct EventStreamCrashTests {
        @Test func afterKill9ResumingWithTheLastSeenIdGivesEveryEventCommittedBeforeTheKillOnceInOrder() async throws {
            let node = BackingdProcess(arguments: [])
            try await node.start()
            let curl = CurlClient()
            defer { curl.shutdown() }
            var api = APIClient(baseURL: node.baseURL, client: curl)
            let watcher = try await EventStreamClient(baseURL: node.baseURL)
            let client = try await EventStreamClient(baseURL: node.baseURL)
            try await EventStreamTests.Traffic.run(round: 0, on: api)
            #expect(await client.waitForMessages(4).count == 4)
            client.disconnect()
            let lastSeen = try #require(client.lastID)
            // Committed (answered 2xx) while the client is away, then the node is killed.
            try await EventStreamTests.Traffic.run(round: 1, on: api)
            try await EventStreamTests.Traffic.run(round: 2, on: api)
            let beforeKill = await watcher.waitForMessages(12)
            #expect(beforeKill.count == 12)
            await node.kill()
            #expect(await eventually { watcher.ended })

            try await node.start()
            api = APIClient(baseURL: node.baseURL, client: curl)
            let resumed = try await EventStreamClient(baseURL: node.baseURL, headers: ["Last-Event-ID": "\(lastSeen)"])
            let missed = beforeKill.filter { $0.id > lastSeen }
            #expect(missed.map(\.event) == Array(repeating: EventStreamTests.roundEvents, count: 2).flatMap { $0 })
            #expect(await resumed.waitForMessages(8) == missed, "\(node.logs.value)")
            // Then live on the restarted node, ids still growing.
            try await EventStreamTests.Traffic.run(round: 3, on: api)
            let after = await resumed.waitForMessages(12)
            #expect(after.count == 12)
            #expect(Array(after.prefix(8)) == missed)
            EventStreamTests.expectGrowingIDs(after)
            try await Task.sleep(for: .milliseconds(200))
            #expect(resumed.messages.count == 12)
            resumed.disconnect()
            #expect(await node.stop() == 0)
        }
    }
}
