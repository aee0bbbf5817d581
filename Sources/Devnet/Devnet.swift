import Backing
import BackingService
import Crypto
import Foundation
import HTTPServer
public import Logging
import Primitives
import Validation
import Webhooks

/// A local backing network: N full backingd nodes, wired over HTTP as real validators are wired over
/// the network, and a simulated relay chain driving them.
///
/// Wiring: every node's `statement.share` web-hook points at every other node's `/v1/statements`
/// (statement distribution); every node knows every other as a PoV-fetch peer (`--peer KEY=URL`);
/// each node has its own SQLite outbox, stores, Prometheus registry and HTTP server. By default the
/// nodes share this process (one command, one Ctrl-C, and the tests run it in-process); with
/// ``DevnetConfiguration/processes`` each node is its own `backingd serve` process, started with the
/// flags a user would give it on its own machine, optionally under a spawn prefix (`ip netns exec …`)
/// and at its own address. Either way everything between the nodes, and between the relay chain,
/// collators and provisioner and the nodes, goes through libcurl and libmicrohttpd.
public actor Devnet {
    /// How many block reports `/v1/devnet` keeps.
    public static let keptReports = 30

    public let configuration: DevnetConfiguration
    private let logger: Logger
    private let curl = CurlClient()
    private var nodes: [BackingNode] = []
    /// The node processes (``DevnetConfiguration/processes``).
    private(set) var children: NodeProcesses?
    private(set) var infoNodes: [DevnetInfo.Node] = []
    private var reports: [BlockReport] = []
    private var totals = DevnetInfo.Totals()
    private var dataRoot: URL?
    private var ownsDataRoot = false

    public init(configuration: DevnetConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The nodes' base URLs, in validator order (empty before ``start()``).
    public var urls: [String] { infoNodes.map(\.url) }

    /// Each node of this process (none with node processes): its address (`host:port`, the instance name
    /// `serve` exports under) and its Prometheus exposition.
    public var inProcessMetrics: [(instance: String, exposition: @Sendable () -> [UInt8])] {
        nodes.map { ($0.configuration.listen, $0.metricsExposition) }
    }

    /// The last blocks, oldest first.
    public var blockReports: [BlockReport] { reports }

    /// What `GET /v1/devnet` answers.
    public var info: DevnetInfo {
        var info = DevnetInfo(
            paraIds: configuration.paraIds.map { ParaId($0) },
            blockTimeMs: Int(Provisioner.milliseconds(configuration.blockTime)),
            groupRotationFrequency: configuration.groupRotationFrequency, nodes: infoNodes,
            blocks: reports.suffix(Self.keptReports).reversed(), totals: totals)
        info.v2 = configuration.claimQueue
        info.asyncBacking = configuration.asyncBacking
        info.cores = configuration.coreAssignment.map { ParaId($0) }
        info.processes = configuration.processes != nil
        return info
    }

    /// Builds and starts every node (in this process or as processes), or with
    /// ``DevnetConfiguration/attach`` finds them running; wires them, and registers the adder's
    /// validation code on each.
    public func start() async throws {
        try configuration.validate()
        let count = configuration.validators
        let ports =
            configuration.basePort == 0
            ? try FreePorts.reserve(count) : (0..<count).map { configuration.basePort + $0 }
        let root = configuration.attach ? nil : try prepareDataRoot()
        let plans = try Self.plan(configuration, ports: ports, dataRoot: root?.path ?? "")
        infoNodes = plans.map { plan in
            var node = plan.node
            if configuration.attach { node.dataDirectory = nil }
            return node
        }
        if let root {
            for (i, plan) in plans.enumerated() {
                if let processes = configuration.processes {
                    try await startProcess(i, plan.settings, options: processes, root: root)
                } else {
                    try await startInProcess(i, plan.settings)
                }
            }
        }
        try await waitUntilReady()
        if let children {
            for (i, child) in children.children.enumerated() { infoNodes[i].pid = child.pid }
        }
        try await registerAdder()
        await publishInfo()
    }

    /// One node of the network: what the devnet knows of it and its `serve` settings.
    struct NodePlan {
        let node: DevnetInfo.Node
        let settings: ServiceConfiguration
    }

    /// Every node's settings: node i at (its address):ports[i] with key ``DevnetConfiguration/validatorSeed(_:)``
    /// and data in `dataRoot/node-<i>`; its `statement.share` web-hook posts to every other node's
    /// `/v1/statements` and it fetches PoVs from every other node.
    static func plan(_ configuration: DevnetConfiguration, ports: [Int], dataRoot: String) throws -> [NodePlan] {
        let count = configuration.validators
        let seeds = (0..<count).map(DevnetConfiguration.validatorSeed)
        let keys = try seeds.map { try Sr25519Keypair(suri: $0) }
        let addresses = (0..<count).map { configuration.address(of: $0) }
        let urls = (0..<count).map { "http://\(addresses[$0]):\(ports[$0])" }
        return (0..<count).map { i in
            var settings = ServiceConfiguration()
            settings.listen = "\(addresses[i]):\(ports[i])"
            settings.validatorSeed = seeds[i]
            settings.dataDirectory = URL(fileURLWithPath: dataRoot).appendingPathComponent("node-\(i)").path
            settings.publicDirectory = URL(fileURLWithPath: configuration.publicDirectory).path
            settings.threadPoolSize = 2
            settings.devnetDashboard = true
            for j in 0..<count where j != i {
                settings.webhooks.append("statement.share=\(urls[j])/v1/statements")
                settings.peers.append("\(keys[j].publicKey.hex)=\(urls[j])")
            }
            var node = DevnetInfo.Node(
                index: i, name: String(seeds[i].dropFirst(2)), seed: seeds[i], publicKey: keys[i].publicKey,
                url: urls[i])
            node.dataDirectory = settings.dataDirectory
            return NodePlan(node: node, settings: settings)
        }
    }

    /// The `serve` flags that give a node `settings` (those a devnet sets).
    static func serveArguments(_ settings: ServiceConfiguration) -> [String] {
        var arguments = [
            "serve", "--listen", settings.listen, "--validator-seed", settings.validatorSeed ?? "", "--data-dir",
            settings.dataDirectory, "--public-dir", settings.publicDirectory,
        ]
        if settings.devnetDashboard { arguments.append("--devnet-dashboard") }
        for webhook in settings.webhooks { arguments += ["--webhook", webhook] }
        for peer in settings.peers { arguments += ["--peer", peer] }
        return arguments
    }

    /// Node i's command line (`backingd serve …`, as `--processes` runs it and as a machine of its own
    /// would: `devnet --print-node-commands`), its data in `dataRoot/node-<i>`, ports base port + i.
    public static func serveCommands(_ configuration: DevnetConfiguration, executable: String, dataRoot: String)
        throws -> [[String]]
    {
        try configuration.validate()
        guard configuration.basePort != 0 else { throw DevnetError.invalid("node commands need a --base-port") }
        let ports = (0..<configuration.validators).map { configuration.basePort + $0 }
        return try plan(configuration, ports: ports, dataRoot: dataRoot).map {
            [executable] + serveArguments($0.settings) + configuration.nodeFlags
        }
    }

    /// Node `index` as a ``BackingNode`` of this process, answering `GET /v1/devnet` itself.
    private func startInProcess(_ index: Int, _ settings: ServiceConfiguration) async throws {
        var node = settings
        // This node answers `/v1/devnet` from the devnet itself (below), not from a document sent to it.
        node.devnetDashboard = false
        var nodeLogger = Logger(label: "backingd.devnet.\(infoNodes[index].name.lowercased())")
        nodeLogger.logLevel = logger.logLevel
        let started = try BackingNode(configuration: node, logger: nodeLogger) { router in
            router.add(.get, "/v1/devnet", accepts: nil) { [weak self] _ in
                guard let self else { return HTTPResponse(status: 503) }
                return .json(await self.info)
            }
        }
        try await started.start()
        nodes.append(started)
    }

    /// Node `index` as `[prefix…] backingd serve …` with `node`'s settings as flags, its output in
    /// `root/node-<index>.log`; it keeps the `/v1/devnet` document ``publishInfo()`` sends.
    private func startProcess(
        _ index: Int, _ node: ServiceConfiguration, options: DevnetConfiguration.ProcessOptions, root: URL
    ) async throws {
        let children = self.children ?? NodeProcesses()
        self.children = children
        var environment = ProcessInfo.processInfo.environment
        environment["BACKINGD_THREAD_POOL"] = String(node.threadPoolSize)
        // As in-process nodes: warnings and errors only, unless BACKINGD_LOG_LEVEL says otherwise.
        environment["BACKINGD_LOG_LEVEL"] = environment["BACKINGD_LOG_LEVEL"] ?? "warning"
        let prefix = options.prefix(index: index, address: configuration.address(of: index))
        try await children.start(
            index: index, command: prefix + [options.executable] + Self.serveArguments(node) + configuration.nodeFlags,
            environment: environment, logPath: root.appendingPathComponent("node-\(index).log").path)
    }

    /// Waits until every node answers `GET /readyz` with 200 (it listens, and has restored its state);
    /// fails at once when a node process ends, and after a minute.
    private func waitUntilReady() async throws {
        let client = self.client
        let deadline = ContinuousClock.now + .seconds(60)
        for node in infoNodes {
            let child = children?.children[node.index]
            while true {
                if let child, child.ended != nil { throw NodeProcesses.lossError(child, name: node.name) }
                if let (status, _) = try? await client.send("GET", "\(node.url)/readyz", json: nil as Int?),
                    status == 200
                {
                    break
                }
                guard ContinuousClock.now < deadline else {
                    let log = child.map { "; the last lines of \($0.logPath):\n\($0.lastLines())" } ?? ""
                    throw DevnetError.process(
                        "node \(node.index) (\(node.name)) is not ready at \(node.url) after a minute\(log)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Node processes and attached nodes: `PUT /v1/devnet` with ``info`` on every node, for their
    /// dashboards (a node that does not take it only loses its network view; the devnet goes on).
    func publishInfo() async {
        guard children != nil || configuration.attach else { return }
        // Attached nodes started without --devnet-dashboard refuse it every block: not worth a warning.
        let level: Logger.Level = configuration.attach ? .debug : .warning
        let info = self.info
        let client = self.client
        let logger = self.logger
        await withTaskGroup(of: Void.self) { group in
            for node in infoNodes {
                group.addTask {
                    let answer = try? await client.send("PUT", "\(node.url)/v1/devnet", json: info)
                    if answer?.0 != 204 {
                        logger.log(
                            level: level, "a node did not take the devnet description",
                            metadata: ["node": "\(node.name)", "status": "\(answer?.0 ?? 0)"])
                    }
                }
            }
        }
    }

    /// `PUT /v1/validation-code` with the adder's wasm on every node: every para runs the adder.
    private func registerAdder() async throws {
        let body = ["code": Hex.encode(AdderParachain.validationCode.bytes)]
        let client = DevnetClient(curl: curl)
        for url in urls {
            let (status, data) = try await client.send("PUT", "\(url)/v1/validation-code", json: body)
            guard status == 200 || status == 201 else {
                throw DevnetError.http(
                    "registering the adder at \(url): \(status) \(String(decoding: data, as: UTF8.self))")
            }
        }
    }

    /// A fresh folder for the nodes' databases: the configured one (emptied of old node folders, whose
    /// outboxes would replay statements for leaves that no longer exist) or a temporary one.
    private func prepareDataRoot() throws -> URL {
        let fileManager = FileManager.default
        let root: URL
        if let configured = configuration.dataDirectory {
            root = URL(fileURLWithPath: configured)
            for i in 0..<configuration.validators {
                try? fileManager.removeItem(at: root.appendingPathComponent("node-\(i)"))
            }
        } else {
            root = fileManager.temporaryDirectory.appendingPathComponent("backingd-devnet-\(UUID().uuidString)")
            ownsDataRoot = true
        }
        try fileManager.createDirectory(at: root, withIntermediateDirectories: true)
        dataRoot = root
        return root
    }

    /// Stops every node (gracefully) and removes a temporary data folder.
    public func shutdown() async {
        for node in nodes { await node.shutdown() }
        nodes = []
        await children?.stop()
        curl.shutdown()
        if ownsDataRoot, let dataRoot { try? FileManager.default.removeItem(at: dataRoot) }
    }

    /// Keeps a block's report for `/v1/devnet` and the totals.
    func record(_ report: BlockReport) {
        reports.append(report)
        if reports.count > Self.keptReports { reports.removeFirst(reports.count - Self.keptReports) }
        totals.blocks += 1
        totals.parasBacked += report.paras.filter(\.backed).count
        totals.parasMissed += report.paras.filter { !$0.backed }.count
        if !report.nodesAgree { totals.disagreements += 1 }
    }

    var client: DevnetClient { DevnetClient(curl: curl) }
}
