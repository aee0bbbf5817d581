import Backing
import Devnet
import Foundation
import Logging
import Primitives
import Testing
import Validation
import Webhooks

/// A 6-node, 2-para devnet in this process: the whole backing path over real HTTP between nodes
/// (statement distribution by web-hook, PoV fetching, embedded PVF validation) block after block.
@Suite(.serialized) struct DevnetTests {
    static let blocks = 6

    /// Runs a 6-node, 2-para devnet for `blocks` blocks at 1.5 s each. - Returns: its block reports and info.
    static func run(
        blocks: Int, v2: Bool = false, asyncBacking: Bool = false, blockTime: Duration = .milliseconds(1500)
    ) async throws -> ([BlockReport], DevnetInfo) {
        var configuration = DevnetConfiguration()
        configuration.validators = 6
        configuration.paras = 2
        configuration.basePort = 0
        configuration.blockTime = blockTime
        configuration.blocks = blocks
        configuration.v2 = v2
        configuration.asyncBacking = asyncBacking
        var logger = Logger(label: "devnet-test")
        logger.logLevel = .warning
        let devnet = Devnet(configuration: configuration, logger: logger)
        try await devnet.start()
        do {
            // `run` returns after the configured number of blocks: no sleeping here.
            try await devnet.run { print($0.progressLine) }
        } catch {
            await devnet.shutdown()
            throw error
        }
        let reports = await devnet.blockReports
        let info = await devnet.info
        // What each node's dashboard reads: the devnet's own description, live.
        let served = try await Self.servedInfo(at: await devnet.urls[0])
        await devnet.shutdown()
        #expect(served.nodes == info.nodes && served.totals == info.totals)
        return (reports, info)
    }

    /// `GET url/v1/devnet`.
    static func servedInfo(at url: String) async throws -> DevnetInfo {
        let curl = CurlClient()
        defer { curl.shutdown() }
        let answer = try await curl.send(CurlRequest(method: "GET", url: "\(url)/v1/devnet"))
        try #require(answer.status == 200, "GET \(url)/v1/devnet: \(answer.status)")
        return try JSONDecoder().decode(DevnetInfo.self, from: Data(answer.body))
    }

    @Test(.timeLimit(.minutes(2)))
    func everyParaIsBackedAtEveryBlockAndAllNodesAgree() async throws {
        let (reports, info) = try await Self.run(blocks: Self.blocks)

        #expect(reports.count == Self.blocks)
        #expect(info.nodes.map(\.name) == ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"])
        for report in reports {
            #expect(report.paras.map(\.paraId) == [100, 101], "block #\(report.number)")
            #expect(report.allBacked, "block #\(report.number): \(report.progressLine)")
            #expect(report.nodesAgree, "block #\(report.number): nodes disagree")
            #expect(report.misbehaviours == 0, "block #\(report.number)")
            for para in report.paras {
                #expect(para.backedOn == 6, "block #\(report.number) para \(para.paraId)")
                #expect(para.votes >= 2, "block #\(report.number) para \(para.paraId): a quorum of a group of 3")
                #expect(para.group.count == 3)
            }
        }
        // Each block builds on the previous one's backed head: the adder chain advanced once per block.
        for para in [ParaId(100), ParaId(101)] {
            let heads = reports.compactMap { $0.paras.first { $0.paraId == para }?.newHead }
            #expect(heads.count == Self.blocks)
            #expect(Set(heads).count == Self.blocks, "para \(para): every block a new head")
        }
        // Groups rotate every 3 blocks (`group_for_core`): para 100's group at blocks 1 and 4 differ.
        let groupsOf100 = reports.map { $0.paras[0].group }
        #expect(groupsOf100[0] != groupsOf100[3])
    }

    /// `--v2`: leaves with a claim queue and node features, collators with V2 descriptors (no collator
    /// signature): every para backed on its own core at every block, the core index in the report.
    @Test(.timeLimit(.minutes(2)))
    func withV2EveryParaIsBackedOnItsClaimQueueCoreWithV2Descriptors() async throws {
        let (reports, info) = try await Self.run(blocks: 4, v2: true)

        #expect(info.v2)
        #expect(reports.count == 4)
        for report in reports {
            #expect(report.allBacked, "block #\(report.number): \(report.progressLine)")
            #expect(report.nodesAgree, "block #\(report.number): nodes disagree")
            #expect(report.paras.map(\.coreIndex) == [0, 1], "block #\(report.number)")
        }
    }

    /// `--async-backing`: para 100 is elastic on cores 0 and 1, para 101 on core 2. Every block extends
    /// para 101 by one candidate and para 100 by two, chained at one relay parent, each on its own core;
    /// what a block backs is pending availability at the next and included at the one after, while the
    /// collators already build on it.
    @Test(.timeLimit(.minutes(2)))
    func withAsyncBackingEveryBlockExtendsEachParaAndTheElasticParaByTwo() async throws {
        let blocks = 5
        let (reports, info) = try await Self.run(blocks: blocks, asyncBacking: true, blockTime: .seconds(2))

        #expect(info.asyncBacking && info.v2)
        #expect(info.cores == [100, 100, 101])
        #expect(reports.count == blocks)
        var previous: [ParaId: [CandidateHash]] = [:]
        for report in reports {
            let n = UInt64(report.number)
            #expect(report.allBacked, "block #\(n): \(report.progressLine)")
            #expect(report.nodesAgree, "block #\(n): nodes disagree")
            #expect(report.misbehaviours == 0, "block #\(n)")
            let chains = try #require(report.chains, "block #\(n)")
            #expect(chains.map(\.paraId) == [100, 101])
            #expect(chains.map(\.backed.count) == [2, 1], "block #\(n): \(report.progressLine)")
            #expect(chains.map(\.cores) == [[0, 1], [2]], "block #\(n)")
            // Backed at block n, pending at n + 1, included from n + 2 on.
            #expect(chains.map(\.includedNumber) == [2 * max(n, 2) - 4, max(n, 2) - 2], "block #\(n)")
            for chain in chains {
                #expect(chain.pendingAvailability == previous[chain.paraId] ?? [], "block #\(n) para \(chain.paraId)")
                previous[chain.paraId] = chain.backed
            }
            for para in report.paras {
                #expect(para.backedOn == 6, "block #\(n) para \(para.paraId)")
                #expect(para.votes >= 2, "block #\(n) para \(para.paraId): both members of its group")
            }
        }
        // The adder chains grew one block per candidate, each on the one before: heads 1, 2, 3, …
        for (para, perBlock) in [(ParaId(100), 2), (ParaId(101), 1)] {
            let heads = try reports.flatMap { report in
                try report.paras.filter { $0.paraId == para }.map {
                    try AdderParachain.Head(headData: #require($0.newHead))
                }
            }
            #expect(heads.map(\.number) == Array(1...UInt64(blocks * perBlock)), "para \(para)")
        }
    }
}
