import Backing
import Devnet
import Foundation
import Logging
import Primitives
import Testing

/// A 6-node, 2-para devnet in this process: the whole backing path over real HTTP between nodes
/// (statement distribution by web-hook, PoV fetching, embedded PVF validation) block after block.
@Suite(.serialized) struct DevnetTests {
    static let blocks = 6

    /// Runs a 6-node, 2-para devnet for `blocks` blocks at 1.5 s each. - Returns: its block reports and info.
    static func run(blocks: Int, v2: Bool = false) async throws -> ([BlockReport], DevnetInfo) {
        var configuration = DevnetConfiguration()
        configuration.validators = 6
        configuration.paras = 2
        configuration.basePort = 0
        configuration.blockTime = .milliseconds(1500)
        configuration.blocks = blocks
        configuration.v2 = v2
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
        await devnet.shutdown()
        return (reports, info)
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
}
