public import Primitives
public import StatementTable

/// A backing group as the statement table knows it: the para a candidate is for and, for a V2
/// descriptor, the core it names; `nil` means the para's own core at the leaf (a v1 descriptor). A
/// group named by an integer literal is a para's: `TableGroup(paraId: 10, core: nil)`.
public struct TableGroup: Hashable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public let paraId: ParaId
    public let core: CoreIndex?

    public init(paraId: ParaId, core: CoreIndex? = nil) {
        self.paraId = paraId
        self.core = core
    }

    public init(integerLiteral value: UInt32) { self.init(paraId: ParaId(value)) }

    public var description: String { core.map { "para \(paraId) on core \($0)" } ?? "para \(paraId)" }
}

/// Binds the generic statement table to Polkadot's types for one leaf: validators vote by index on
/// candidates (by hash) of paras, each backed by the group of its core.
///
/// A candidate's core is its V2 descriptor's where the leaf accepts V2 descriptors (several cores may
/// back one para: elastic scaling), and otherwise the one core backing its para (v0.9.12: the
/// scheduled core).
public struct TableContext: StatementTableContext, Sendable {
    public typealias AuthorityId = ValidatorIndex
    public typealias Digest = CandidateHash
    public typealias GroupId = TableGroup
    public typealias Signature = ValidatorSignature
    public typealias Candidate = CommittedCandidateReceipt

    public let scheduling: LeafScheduling
    /// When set, the votes a candidate needs are min(group size, this) instead of a strict majority.
    public let minimumBackingVotes: UInt32?
    /// Read once per leaf, for the import path (one lookup per statement, as before cores): whether
    /// V2 descriptors name their core, each para's group on its own core, and each core's para and group.
    private let v2DescriptorsNameTheirCore: Bool
    private let membersOfPara: [ParaId: [ValidatorIndex]]
    private let paraAndMembersOfCore: [CoreIndex: (para: ParaId, members: [ValidatorIndex])]

    public init(scheduling: LeafScheduling, minimumBackingVotes: UInt32? = nil) {
        self.scheduling = scheduling
        // Today's rules always count min(group size, minimum backing votes), 2 where the runtime has none.
        self.minimumBackingVotes =
            minimumBackingVotes ?? (scheduling.isAsyncBacking ? Leaf.legacyMinimumBackingVotes : nil)
        v2DescriptorsNameTheirCore = scheduling.checksDescriptors && scheduling.acceptsV2Descriptors
        var paraAndMembersOfCore: [CoreIndex: (para: ParaId, members: [ValidatorIndex])] = [:]
        for (core, para) in scheduling.paraOfCore {
            if let members = scheduling.groupOfCore[core] { paraAndMembersOfCore[core] = (para, members) }
        }
        self.paraAndMembersOfCore = paraAndMembersOfCore
        var membersOfPara: [ParaId: [ValidatorIndex]] = [:]
        for para in Set(scheduling.paraOfCore.values) {
            if let core = scheduling.defaultCore(of: para) { membersOfPara[para] = paraAndMembersOfCore[core]?.members }
        }
        self.membersOfPara = membersOfPara
    }

    /// A context where each para of `groups` has a core of its own, backed by its group.
    public init(groups: [ParaId: [ValidatorIndex]], minimumBackingVotes: UInt32? = nil) {
        self.init(scheduling: LeafScheduling(groupOfPara: groups), minimumBackingVotes: minimumBackingVotes)
    }

    public func candidateDigest(_ candidate: CommittedCandidateReceipt) -> CandidateHash { candidate.hash }
    public func candidateGroup(_ candidate: CommittedCandidateReceipt) -> TableGroup {
        if v2DescriptorsNameTheirCore, candidate.descriptor.version == .v2 {
            return TableGroup(paraId: candidate.descriptor.paraId, core: candidate.descriptor.coreIndex)
        }
        return TableGroup(paraId: candidate.descriptor.paraId)
    }

    /// The core that backs `group`: the one its V2 descriptor names, or its para's own.
    public func core(of group: TableGroup) -> CoreIndex? { group.core ?? scheduling.defaultCore(of: group.paraId) }

    /// The members of `group`: its core's backing group, when that core backs the group's para (with
    /// async backing: when the para is anywhere in the core's claim queue).
    public func members(of group: TableGroup) -> [ValidatorIndex]? {
        guard let core = group.core else { return membersOfPara[group.paraId] }
        if scheduling.isAsyncBacking {
            guard scheduling.parasOfCore[core]?.contains(group.paraId) ?? false else { return nil }
            return scheduling.groupOfCore[core]
        }
        guard let backing = paraAndMembersOfCore[core], backing.para == group.paraId else { return nil }
        return backing.members
    }

    public func isMember(_ authority: ValidatorIndex, of group: TableGroup) -> Bool {
        members(of: group)?.contains(authority) ?? false
    }

    public func requisiteVotes(for group: TableGroup) -> Int {
        guard let members = members(of: group)?.count else { return Int.max }
        if let minimum = minimumBackingVotes { return min(members, max(1, Int(minimum))) }
        return members / 2 + 1
    }
}

public typealias BackingTable = StatementTable<TableContext>
