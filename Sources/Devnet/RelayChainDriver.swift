import Backing
import Foundation
import Primitives
import Validation

/// Activates and deactivates leaves on every node (`POST /v1/leaves`, `DELETE /v1/leaves/{hash}`),
/// as the overseer's `ActiveLeavesUpdate` does on a real validator.
struct RelayChainDriver: Sendable {
    let client: DevnetClient
    let nodes: [String]

    /// Activates `leaf` on every node at once; fails if any node refuses it.
    func activate(_ leaf: Leaf) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for url in nodes {
                group.addTask {
                    let (status, data) = try await client.send("POST", "\(url)/v1/leaves", json: leaf)
                    guard status == 201 else {
                        throw DevnetError.http(
                            "activating leaf #\(leaf.number) on \(url): \(status) \(String(decoding: data, as: UTF8.self))"
                        )
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Deactivates `hash` on every node (a node that no longer knows it is fine).
    func deactivate(_ hash: Hash) async {
        await withTaskGroup(of: Void.self) { group in
            for url in nodes {
                group.addTask {
                    _ = try? await client.send("DELETE", "\(url)/v1/leaves/\(hash.hex)", json: nil as Int?)
                }
            }
        }
    }
}

extension Devnet {
    /// Drives the relay chain: a block every ``DevnetConfiguration/blockTime``, each activated on every
    /// node, one collation per para seconded on its backing group, then provisioned; returns after
    /// `configuration.blocks` blocks, or when the task is cancelled. With node processes it fails as soon
    /// as one of them ends.
    /// - Parameter onBlock: called with each block's report (the command prints its progress line).
    public func run(onBlock: @escaping @Sendable (BlockReport) -> Void = { _ in }) async throws {
        guard let children else { return try await driveBlocks(onBlock: onBlock) }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.driveBlocks(onBlock: onBlock) }
                group.addTask {
                    if let lost = await children.firstLoss() { throw await self.lossError(lost) }
                }
                // The first to finish decides: the blocks are done, or a node process ended.
                try await group.next()
                group.cancelAll()
            }
        } catch {
            // A node that ended makes its peers' requests fail first: name the cause, not the symptom.
            for _ in 0..<20 where children.lost == nil { try? await Task.sleep(for: .milliseconds(50)) }
            if let lost = children.lost { throw lossError(lost) }
            throw error
        }
    }

    private func lossError(_ child: NodeProcess) -> DevnetError {
        NodeProcesses.lossError(child, name: infoNodes[child.index].name)
    }

    /// The relay chain's block loop (``run(onBlock:)``).
    private func driveBlocks(onBlock: @Sendable (BlockReport) -> Void) async throws {
        let paraIds = configuration.paraIds.map { ParaId($0) }
        let validators = infoNodes.map(\.publicKey)
        var chain = RelayChain(
            validators: validators, paraIds: paraIds, cores: configuration.coreAssignment.map { ParaId($0) },
            rotationFrequency: configuration.groupRotationFrequency, v2: configuration.claimQueue,
            asyncBacking: configuration.asyncBacking)
        var collators = try Collators(paraIds: paraIds)
        let driver = RelayChainDriver(client: client, nodes: urls)
        let provisioner = Provisioner(client: client, nodes: urls)
        var active: [Hash] = []
        var produced = 0
        while !Task.isCancelled {
            let start = ContinuousClock.now
            let leaf = chain.nextLeaf(heads: collators.heads)
            // Make room first, so that no more than `activeLeaves` are ever active.
            while active.count >= configuration.activeLeaves { await driver.deactivate(active.removeFirst()) }
            try await driver.activate(leaf)
            active.append(leaf.hash)
            // Backing must settle within the block (a real block author has the same deadline).
            let deadline = start + configuration.blockTime * 0.8

            let report: BlockReport
            if configuration.asyncBacking {
                let settlement = try await asyncBlock(
                    leaf, chain: chain, collators: &collators, provisioner: provisioner, deadline: deadline)
                chain.enact(settlement.chains)
                for (para, backed) in settlement.chains { collators.advance(para, to: backed, at: leaf.number) }
                report = settlement.report
            } else {
                let settlement = try await block(
                    leaf, chain: chain, collators: &collators, provisioner: provisioner, deadline: deadline)
                for candidate in settlement.included { collators.include(candidate) }
                report = settlement.report
            }
            record(report)
            await publishInfo()
            onBlock(report)

            produced += 1
            if let blocks = configuration.blocks, produced >= blocks { break }
            do { try await Task.sleep(until: start + configuration.blockTime, clock: .continuous) } catch { break }
        }
    }

    /// One block under v0.9.12 rules: each para's collator builds on the included head, the candidate is
    /// handed to a member of its core's group, and the block author includes what every node backed.
    private func block(
        _ leaf: Leaf, chain: RelayChain, collators: inout Collators, provisioner: Provisioner,
        deadline: ContinuousClock.Instant
    ) async throws -> Provisioner.Settlement {
        var groups: [ParaId: [ValidatorIndex]] = [:]
        var handouts: [(AdderCollator.Collation, Int)] = []
        for (core, paraId) in chain.paraIds.enumerated() {
            let group = chain.group(forCore: core, at: leaf.number)
            groups[paraId] = group
            // The collator picks a different member of the group each block, so every node seconds.
            let seconder = Int(group[Int(leaf.number) % group.count].rawValue)
            handouts.append((try collators.collate(paraId, on: leaf), seconder))
        }
        let secondings = await Self.second(handouts, urls: urls, client: client)
        return await provisioner.settle(leaf: leaf, secondings: secondings, groups: groups, deadline: deadline)
    }

    /// One block under asynchronous backing: each para's collator builds a chain on its newest backed
    /// head, one candidate per core of the para (an elastic para gets several), each handed to a member
    /// of its core's group; then the block author takes each para's backable chain, continuing after
    /// the candidates pending availability.
    private func asyncBlock(
        _ leaf: Leaf, chain: RelayChain, collators: inout Collators, provisioner: Provisioner,
        deadline: ContinuousClock.Instant
    ) async throws -> Provisioner.Settlement {
        var groups: [CandidateHash: [ValidatorIndex]] = [:]
        var handouts: [(AdderCollator.Collation, Int)] = []
        var wants: [ParaId: Provisioner.Want] = [:]
        for para in chain.paraIds {
            let cores = chain.cores(of: para)
            let collations = try collators.collateChain(para, on: leaf, cores: cores)
            for (collation, core) in zip(collations, cores) {
                let group = chain.group(forCore: Int(core.rawValue), at: leaf.number)
                groups[collation.candidateHash] = group
                // A different member of the group each block, so every node seconds.
                handouts.append((collation, Int(group[Int(leaf.number) % group.count].rawValue)))
            }
            let pending = chain.inclusion[para]?.pending ?? []
            wants[para] = Provisioner.Want(
                count: cores.count,
                ancestors: pending.map {
                    CommittedCandidateReceipt(descriptor: $0.descriptor, commitments: $0.commitments).hash
                })
        }
        let secondings = await Self.second(handouts, urls: urls, client: client)
        return await provisioner.settleAsync(
            leaf: leaf, secondings: secondings, groups: groups, wants: wants, deadline: deadline)
    }

    /// Hands every collation to its seconder at once.
    private static func second(
        _ handouts: [(AdderCollator.Collation, Int)], urls: [String], client: DevnetClient
    ) async -> [Collators.Seconding] {
        await withTaskGroup(of: (Int, Collators.Seconding).self) { group in
            for (i, (collation, seconder)) in handouts.enumerated() {
                group.addTask {
                    (i, await Collators.second(collation, to: seconder, url: urls[seconder], client: client))
                }
            }
            var results: [(Int, Collators.Seconding)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
