import Backing
import BackingService
import Crypto
import Foundation
import HTTPServer
public import Logging
import Primitives
import Validation
import Webhooks

/// A local backing network in one process: N full backingd nodes on loopback, wired over HTTP as real
/// validators are wired over the network, and a simulated relay chain driving them.
///
/// Wiring: every node's `statement.share` web-hook points at every other node's `/v1/statements`
/// (statement distribution); every node knows every other as a PoV-fetch peer (`--peer KEY=URL`);
/// each node has its own SQLite outbox, stores, Prometheus registry and HTTP server. The nodes share
/// the process only: everything between them goes through libcurl and libmicrohttpd on 127.0.0.1.
/// One process keeps `backingd devnet` one command with one Ctrl-C, and lets the tests run it
/// in-process; node processes would add nothing the HTTP wiring does not already exercise.
public actor Devnet {
    /// How many block reports `/v1/devnet` keeps.
    public static let keptReports = 30

    public let configuration: DevnetConfiguration
    private let logger: Logger
    private let curl = CurlClient()
    private var nodes: [BackingNode] = []
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
        return info
    }

    /// Builds and starts every node, wires them, and registers the adder's validation code on each.
    public func start() async throws {
        try configuration.validate()
        let count = configuration.validators
        let ports =
            configuration.basePort == 0
            ? try FreePorts.reserve(count) : (0..<count).map { configuration.basePort + $0 }
        let seeds = (0..<count).map(DevnetConfiguration.validatorSeed)
        let keys = try seeds.map { try Sr25519Keypair(suri: $0) }
        let urls = ports.map { "http://127.0.0.1:\($0)" }
        infoNodes = (0..<count).map {
            DevnetInfo.Node(
                index: $0, name: String(seeds[$0].dropFirst(2)), seed: seeds[$0], publicKey: keys[$0].publicKey,
                url: urls[$0])
        }
        let root = try prepareDataRoot()
        for i in 0..<count {
            var node = ServiceConfiguration()
            node.listen = "127.0.0.1:\(ports[i])"
            node.validatorSeed = seeds[i]
            node.dataDirectory = root.appendingPathComponent("node-\(i)").path
            node.publicDirectory = configuration.publicDirectory
            node.threadPoolSize = 2
            for j in 0..<count where j != i {
                node.webhooks.append("statement.share=\(urls[j])/v1/statements")
                node.peers.append("\(keys[j].publicKey.hex)=\(urls[j])")
            }
            var nodeLogger = Logger(label: "backingd.devnet.\(infoNodes[i].name.lowercased())")
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
        try await registerAdder()
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
