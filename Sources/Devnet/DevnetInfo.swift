public import Primitives

/// `GET /v1/devnet` (served by devnet nodes only): the network the dashboard draws — every node, and
/// the last blocks with what was backed.
public struct DevnetInfo: Codable, Sendable {
    /// One node of the network.
    public struct Node: Codable, Sendable, Equatable {
        /// Its validator index (= its position).
        public let index: Int
        /// `Alice`, `Bob`, …, `Validator7`, …
        public let name: String
        /// The secret URI of its key (dev keys only: never use them for anything real).
        public let seed: String
        public let publicKey: ValidatorId
        /// Its base URL; its own dashboard is at `url/`.
        public let url: String
        /// Its data folder.
        public var dataDirectory: String? = nil
        /// Its process id, when it runs as its own process (`--processes`).
        public var pid: Int32? = nil
    }

    /// Running totals since the devnet started.
    public struct Totals: Codable, Sendable, Equatable {
        public var blocks = 0
        public var parasBacked = 0
        public var parasMissed = 0
        public var disagreements = 0
    }

    public let paraIds: [ParaId]
    public let blockTimeMs: Int
    public let groupRotationFrequency: UInt32
    /// Leaves carry a claim queue and collators build V2 descriptors (`--v2`).
    public var v2 = false
    /// Leaves carry `asyncBackingParams` and the block author takes chains (`--async-backing`).
    public var asyncBacking = false
    /// Every node is its own `backingd serve` process (`--processes`).
    public var processes = false
    /// The para of each core, in core order (an elastic para holds several).
    public var cores: [ParaId] = []
    public let nodes: [Node]
    /// The newest blocks first (at most ``Devnet/keptReports``).
    public let blocks: [BlockReport]
    public let totals: Totals
}
