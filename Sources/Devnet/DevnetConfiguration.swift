import Backing
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What `backingd devnet` is told: how many validators and paras, where the nodes listen, how fast
/// the relay chain goes.
public struct DevnetConfiguration: Sendable {
    /// More `serve` flags for every node process (`--processes`, `--print-node-commands`): the command's own
    /// `--otlp-endpoint` and `--log-format`, so that each node traces and logs as the devnet does.
    public var nodeFlags: [String] = []
    /// Number of validator nodes (each a full backingd node).
    public var validators = 6
    /// Number of adder parachains (para ids 100, 101, …), each on its own availability core.
    public var paras = 2
    /// Node i listens on (its address):(basePort + i); 0 lets every node pick a free port (loopback only).
    public var basePort = 9100
    /// Node i's address, where it listens and where the others, the relay chain and the dashboard reach
    /// it (an IPv4 address: a node listens on an address, not a name); empty: 127.0.0.1 for every node. With nodes in their own
    /// network namespaces (or on other machines) each has its own: `10.200.0.1`, `10.200.0.2`, …
    public var nodeAddresses: [String] = []
    /// Run each node as its own `backingd serve` process (`nil`: every node in this process).
    public var processes: ProcessOptions?
    /// The nodes already run, each at (its address):(basePort + i) with the settings
    /// `devnet --print-node-commands` prints (on other machines, under systemd, in containers): the
    /// devnet starts none and only drives them.
    public var attach = false
    /// Time between relay-chain blocks.
    public var blockTime: Duration = .seconds(6)
    /// Groups rotate across the cores every this many blocks (`groupRotationFrequency`).
    public var groupRotationFrequency: UInt32 = 3
    /// How many of the newest leaves stay active; older ones are deactivated.
    public var activeLeaves = 3
    /// Parent folder of the nodes' data folders; `nil` makes a fresh temporary one.
    public var dataDirectory: String?
    /// The dashboard folder every node serves at `/`.
    public var publicDirectory = "Public"
    /// Stop after this many blocks (`nil` runs until cancelled).
    public var blocks: Int?
    /// Today's primitives: leaves carry a claim queue (each core backs its para for the next three
    /// blocks) and node features CandidateReceiptV2 and ElasticScalingMVP; collators build V2 descriptors
    /// naming their core and session.
    public var v2 = false
    /// Asynchronous backing (implies ``v2``): leaves carry `asyncBackingParams`, their ancestry and each
    /// para's backing constraints; collators build on the newest backed candidate, the block author
    /// takes each para's chain from `POST /v1/backable-candidates`, and a backed candidate is pending
    /// availability for one block before it is included.
    public var asyncBacking = false
    /// With ``asyncBacking``: how many cores the first para (100) has. Above 1 it is an elastic para and
    /// gets that many candidates backed per block, one per core; every other para has one core.
    public var elasticCores = 2

    /// How `--processes` starts the nodes.
    public struct ProcessOptions: Sendable {
        /// The `backingd` binary each node runs (`serve …`).
        public var executable: String
        /// Words put before the node's command, with `{index}` replaced by the node's index (0, 1, …) and
        /// `{address}` by its address: `ip netns exec ns{index}` starts node i in network namespace
        /// `ns<i>`. The words are not given to a shell. Empty: the binary is started directly.
        public var spawnPrefix: [String] = []

        public init(executable: String, spawnPrefix: [String] = []) {
            self.executable = executable
            self.spawnPrefix = spawnPrefix
        }

        /// The prefix for node `index` at `address`.
        func prefix(index: Int, address: String) -> [String] {
            spawnPrefix.map {
                $0.replacingOccurrences(of: "{index}", with: String(index)).replacingOccurrences(
                    of: "{address}", with: address)
            }
        }
    }

    /// Whether `text` is a dotted-quad IPv4 address.
    static func isIPv4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    /// Node i's address (``nodeAddresses`` or 127.0.0.1).
    public func address(of index: Int) -> String { nodeAddresses.isEmpty ? "127.0.0.1" : nodeAddresses[index] }

    /// `AsyncBackingParams` of the async-backing leaves: chains up to 3 unincluded candidates deep, relay
    /// parents up to 2 blocks old.
    static let asyncBackingParams = AsyncBackingParams(maxCandidateDepth: 3, allowedAncestryLen: 2)

    public init() {}

    /// The para ids of the devnet: 100, 101, …
    public var paraIds: [UInt32] { (0..<paras).map { 100 + UInt32($0) } }

    /// The para of each core, in core order: para c on core c, and with ``asyncBacking`` the elastic
    /// para 100 on the first ``elasticCores`` cores, the others after it (100, 100, 101, …).
    public var coreAssignment: [UInt32] {
        guard asyncBacking, elasticCores > 1 else { return paraIds }
        return [UInt32](repeating: paraIds[0], count: elasticCores) + paraIds.dropFirst()
    }

    /// Whether leaves carry a claim queue and collators build V2 descriptors.
    public var claimQueue: Bool { v2 || asyncBacking }

    /// The secret URI of validator `index`: the Substrate dev accounts first (Alice, Bob, Charlie, Dave,
    /// Eve, Ferdie), then `//Validator7`, `//Validator8`, … (1-based), a scheme any tool can derive.
    public static func validatorSeed(_ index: Int) -> String {
        let dev = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]
        return index < dev.count ? "//\(dev[index])" : "//Validator\(index + 1)"
    }

    /// The collator key of a para: `//Collator100`, `//Collator101`, …
    public static func collatorSeed(_ paraId: UInt32) -> String { "//Collator\(paraId)" }

    /// Checks the numbers make a network: at least one validator per para group.
    public func validate() throws(DevnetError) {
        guard paras >= 1 else { throw .invalid("--paras must be at least 1") }
        guard elasticCores >= 1, elasticCores <= 8 else { throw .invalid("--elastic-cores must be 1…8") }
        guard validators >= coreAssignment.count else {
            throw .invalid(
                asyncBacking
                    ? "--validators must be at least --paras + --elastic-cores - 1 (every core needs a backing group)"
                    : "--validators must be at least --paras (every para needs a backing group)")
        }
        guard validators <= 100 else { throw .invalid("--validators above 100 is not supported") }
        guard blockTime >= .milliseconds(200) else { throw .invalid("--block-time must be at least 0.2 s") }
        guard basePort == 0 || basePort + validators <= 65_535 else { throw .invalid("--base-port too high") }
        guard activeLeaves >= 1 else { throw .invalid("at least one leaf must stay active") }
        guard nodeAddresses.isEmpty || nodeAddresses.count == validators else {
            throw .invalid("--node-addresses must name one address per validator (\(validators))")
        }
        if let bad = nodeAddresses.first(where: { !Self.isIPv4($0) }) {
            throw .invalid("--node-addresses: \(bad) is not an IPv4 address (a node listens on it)")
        }
        guard basePort != 0 || nodeAddresses.allSatisfy({ $0 == "127.0.0.1" }) else {
            throw .invalid("--base-port 0 (free ports) works on 127.0.0.1 only: give a base port with --node-addresses")
        }
        if let processes {
            guard !processes.executable.isEmpty else { throw .invalid("--processes: no backingd binary to run") }
            guard !attach else { throw .invalid("--attach drives running nodes: it cannot go with --processes") }
        }
        guard !attach || basePort != 0 else { throw .invalid("--attach needs the nodes' --base-port") }
    }
}

/// Why a devnet could not start or run.
public enum DevnetError: Error, CustomStringConvertible {
    case invalid(String)
    case http(String)
    /// A node process could not start, or ended while the devnet ran.
    case process(String)

    public var description: String {
        switch self {
        case .invalid(let message): message
        case .http(let message): message
        case .process(let message): message
        }
    }
}
