import Foundation
import Logging
import Primitives
import TestSupport
import Testing
import Webhooks

@testable import Devnet

#if canImport(Glibc)
    import Glibc
#endif

/// `backingd devnet --processes`: every validator a `backingd serve` process of the built binary, wired
/// only by its command line (web-hooks and `--peer`), driven only over HTTP. On loopback, and with each
/// node in its own network namespace behind a veth pair on a bridge, at its own 10.x address.
@Suite(.serialized) struct MultiProcessDevnetTests {
    /// The `backingd` executable next to the test bundle in the build folder.
    static var executable: String {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if url.pathExtension == "xctest" { url.deleteLastPathComponent() }
        return url.appendingPathComponent("backingd").path
    }

    /// A 4-validator, 2-para devnet of node processes; 3 s blocks leave the four processes room on a
    /// loaded machine (backing must settle within 0.8 of a block).
    static func configuration(blocks: Int?, asyncBacking: Bool = false) -> DevnetConfiguration {
        var configuration = DevnetConfiguration()
        configuration.validators = 4
        configuration.paras = 2
        configuration.basePort = 0
        configuration.blockTime = .seconds(3)
        configuration.blocks = blocks
        configuration.asyncBacking = asyncBacking
        configuration.processes = .init(executable: executable)
        return configuration
    }

    static func devnet(_ configuration: DevnetConfiguration) -> Devnet {
        var logger = Logger(label: "multi-process-devnet-test")
        logger.logLevel = .warning
        return Devnet(configuration: configuration, logger: logger)
    }

    /// Starts `devnet`, checks its processes while they run (`whileRunning`), runs its blocks and stops it.
    /// - Returns: its block reports and info (taken before it stopped).
    static func run(_ devnet: Devnet, whileRunning: (DevnetInfo) async throws -> Void = { _ in }) async throws
        -> ([BlockReport], DevnetInfo)
    {
        do {
            try await devnet.start()
            try await whileRunning(await devnet.info)
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

    /// Every para (every candidate, with async backing) backed on all 4 nodes at every block, all agreeing.
    static func expectEveryParaBacked(_ reports: [BlockReport], blocks: Int) {
        #expect(reports.count == blocks)
        for report in reports {
            #expect(report.allBacked, "block #\(report.number): \(report.progressLine)")
            #expect(report.nodesAgree, "block #\(report.number): nodes disagree")
            #expect(report.misbehaviours == 0, "block #\(report.number)")
            #expect(Set(report.paras.map(\.paraId)) == [100, 101], "block #\(report.number)")
            for para in report.paras {
                #expect(para.backedOn == 4, "block #\(report.number) para \(para.paraId)")
            }
        }
    }

    /// The node processes while the devnet runs: distinct live `backingd serve` children of this process,
    /// each with its own data folder (on its command line), each answering the devnet's description of
    /// the network at `/v1/devnet` (what its dashboard draws).
    static func expectLiveChildren(_ info: DevnetInfo) async throws {
        #expect(info.processes)
        let pids = info.nodes.compactMap(\.pid)
        #expect(pids.count == 4 && Set(pids).count == 4, "pids \(pids)")
        #expect(!pids.contains(getpid()))
        let folders = info.nodes.compactMap(\.dataDirectory)
        #expect(folders.count == 4 && Set(folders).count == 4, "data folders \(folders)")
        for node in info.nodes {
            let pid = try #require(node.pid)
            #expect(ProcessTable.isRunning(pid), "\(node.name) (pid \(pid)) runs")
            #expect(ProcessTable.parent(of: pid) == getpid(), "\(node.name) is a child of the devnet")
            let command = ProcessTable.commandLine(of: pid)
            #expect(command.contains("serve"), "\(node.name): \(command)")
            #expect(command.contains(try #require(node.dataDirectory)), "\(node.name): \(command)")
        }
        let curl = CurlClient()
        defer { curl.shutdown() }
        for node in info.nodes {
            let answer = try await curl.send(CurlRequest(method: "GET", url: "\(node.url)/v1/devnet"))
            #expect(answer.status == 200, "\(node.name) /v1/devnet")
            let served = try JSONDecoder().decode(DevnetInfo.self, from: Data(answer.body))
            #expect(served.nodes == info.nodes, "\(node.name) serves the devnet's node list")
        }
    }

    /// None of `pids` runs any more, and no process names `folder` on its command line.
    static func expectNoneLeft(_ pids: [Int32], folder: String) {
        for pid in pids { #expect(!ProcessTable.isRunning(pid), "pid \(pid) still runs") }
        let left = ProcessTable.processes(naming: folder)
        #expect(left.isEmpty, "processes left naming \(folder): \(left)")
    }

    @Test(.timeLimit(.minutes(3)))
    func fourNodeProcessesOnLoopbackBackEveryParaAndNoneOutliveTheDevnet() async throws {
        let blocks = 4
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("backingd-procs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var configuration = Self.configuration(blocks: blocks)
        configuration.dataDirectory = root.path
        let (reports, info) = try await Self.run(Self.devnet(configuration), whileRunning: Self.expectLiveChildren)

        Self.expectEveryParaBacked(reports, blocks: blocks)
        #expect(info.nodes.map(\.name) == ["Alice", "Bob", "Charlie", "Dave"])
        #expect(info.nodes.allSatisfy { $0.url.hasPrefix("http://127.0.0.1:") })
        Self.expectNoneLeft(info.nodes.compactMap(\.pid), folder: root.path)
    }

    /// `--async-backing` with node processes: every candidate of every block backed on every node.
    @Test(.timeLimit(.minutes(3)))
    func withAsyncBackingFourNodeProcessesBackEveryCandidate() async throws {
        let blocks = 4
        let (reports, info) = try await Self.run(Self.devnet(Self.configuration(blocks: blocks, asyncBacking: true)))

        #expect(info.asyncBacking && info.processes)
        Self.expectEveryParaBacked(reports, blocks: blocks)
        for report in reports {
            #expect(report.chains?.map(\.backed.count) == [2, 1], "block #\(report.number): \(report.progressLine)")
        }
        Self.expectNoneLeft(info.nodes.compactMap(\.pid), folder: info.nodes[0].dataDirectory ?? "/nonexistent")
    }

    /// A node process that dies stops the devnet with an error naming it and how it ended.
    @Test(.timeLimit(.minutes(3)))
    func aNodeProcessThatDiesStopsTheDevnetWithAnErrorNamingIt() async throws {
        let devnet = Self.devnet(Self.configuration(blocks: nil))
        try await devnet.start()
        let info = await devnet.info
        let runner = Task { try await devnet.run() }
        // Let the devnet produce a block first, so that the node dies in the middle of a running network.
        while await devnet.blockReports.isEmpty {
            if Task.isCancelled { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let victim = try #require(info.nodes[2].pid)
        kill(victim, SIGKILL)
        let outcome = await runner.result
        await devnet.shutdown()

        #expect(throws: DevnetError.self) { try outcome.get() }
        if case .failure(let error) = outcome {
            let message = "\(error)"
            #expect(message.contains("node 2 (Charlie, pid \(victim)) was killed by signal 9"), "\(message)")
        }
        Self.expectNoneLeft(info.nodes.compactMap(\.pid), folder: info.nodes[0].dataDirectory ?? "/nonexistent")
    }

    /// The `backingd devnet --processes` command stopped by Ctrl-C (SIGINT), SIGTERM or `kill -9`: its node
    /// processes end too, none is left behind. SIGINT and SIGTERM stop them in order and the command exits
    /// 0; after SIGKILL the kernel sends each its SIGTERM (PR_SET_PDEATHSIG).
    @Test(.timeLimit(.minutes(3)), arguments: [SIGINT, SIGTERM, SIGKILL])
    func stoppingTheDevnetCommandLeavesNoNodeProcess(signal: Int32) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("backingd-procs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let output = root.appendingPathComponent("devnet.out")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try #require(FileManager.default.createFile(atPath: output.path, contents: nil))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "devnet", "--processes", "--validators", "4", "--paras", "2", "--base-port", "0", "--block-time", "3",
            "--blocks", "100", "--data-dir", root.appendingPathComponent("nodes").path,
        ]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try launchSerially(process)
        // The command prints each node with its pid once they are all ready.
        var pids: [Int32] = []
        let deadline = ContinuousClock.now + .seconds(90)
        while pids.count < 4 && ContinuousClock.now < deadline && process.isRunning {
            try await Task.sleep(for: .milliseconds(200))
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            pids = text.split(separator: "\n").compactMap { line in
                line.range(of: "  pid ").flatMap { Int32(line[$0.upperBound...]) }
            }
        }
        let printed = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        try #require(pids.count == 4, "node pids printed: \(printed)")
        for pid in pids { #expect(ProcessTable.isRunning(pid), "pid \(pid) runs before the kill") }

        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        if signal != SIGKILL {
            #expect(process.terminationReason == .exit && process.terminationStatus == 0, "signal \(signal)")
            // The command returns only after it has reaped every node.
            for pid in pids { #expect(!ProcessTable.isRunning(pid), "pid \(pid) outlived the command") }
        }
        // After SIGKILL the kernel signals each child when the devnet's thread that waits for it dies;
        // they then shut down (gracefully, on SIGTERM).
        let gone = ContinuousClock.now + .seconds(60)
        while pids.contains(where: ProcessTable.isRunning) && ContinuousClock.now < gone {
            try await Task.sleep(for: .milliseconds(100))
        }
        Self.expectNoneLeft(pids, folder: root.path)
    }

    /// A devnet's `--otlp-endpoint` (with its metrics interval) and `--log-format json` are every node's too, so that a statement can be
    /// followed through node processes as through in-process nodes; without them, no node gets either flag.
    @Test func everyNodeProcessTracesAndLogsAsTheDevnetCommandSays() throws {
        let base = ["devnet", "--print-node-commands", "--validators", "2", "--paras", "1", "--base-port", "9400"]
        let traced = try Self.runToEnd(
            base + ["--otlp-endpoint", "http://127.0.0.1:4318", "--log-format", "json"]
        ).split(separator: "\n")
        #expect(traced.count == 2)
        #expect(
            traced.allSatisfy {
                $0.hasSuffix(" --otlp-endpoint http://127.0.0.1:4318 --otlp-metrics-interval 60s --log-format json")
            })
        let plain = try Self.runToEnd(base)
        #expect(!plain.contains("--otlp-endpoint") && !plain.contains("--log-format"), "\(plain)")
    }

    /// The N-machines path on one machine: `devnet --print-node-commands` prints each node's `serve`
    /// command, the nodes are started from those lines as another machine (or a systemd unit) would, and
    /// `devnet --attach` drives them without starting any.
    @Test(.timeLimit(.minutes(3)))
    func theCommandsPrintedForEachNodeStartNodesThatAnAttachedDevnetBacksOn() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("backingd-procs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let basePort = try FreeConsecutivePorts.find(4)
        let printed = try Self.runToEnd([
            "devnet", "--print-node-commands", "--validators", "4", "--paras", "2", "--base-port", String(basePort),
            "--data-dir", root.path,
        ])
        let commands = printed.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        try #require(commands.count == 4, "printed: \(printed)")
        #expect(!printed.contains("'"), "nothing here needs quoting: \(printed)")
        #expect(commands.allSatisfy { $0.first == "backingd" && $0.dropFirst().first == "serve" })
        #expect(commands[1].contains("127.0.0.1:\(basePort + 1)") && commands[1].contains("//Bob"))

        var nodes: [Process] = []
        defer {
            for node in nodes where node.isRunning { node.terminate() }
            for node in nodes { node.waitUntilExit() }
        }
        for command in commands {
            let node = Process()
            node.executableURL = URL(fileURLWithPath: Self.executable)
            node.arguments = Array(command.dropFirst())
            node.standardOutput = FileHandle.nullDevice
            node.standardError = FileHandle.nullDevice
            try launchSerially(node)
            nodes.append(node)
        }
        var configuration = Self.configuration(blocks: 3)
        configuration.processes = nil
        configuration.attach = true
        configuration.basePort = basePort
        let (reports, info) = try await Self.run(Self.devnet(configuration)) { info in
            // The nodes were started with --devnet-dashboard: they answer what the devnet sent.
            let curl = CurlClient()
            defer { curl.shutdown() }
            let answer = try await curl.send(CurlRequest(method: "GET", url: "\(info.nodes[3].url)/v1/devnet"))
            #expect(answer.status == 200)
            #expect(try JSONDecoder().decode(DevnetInfo.self, from: Data(answer.body)).nodes == info.nodes)
        }

        Self.expectEveryParaBacked(reports, blocks: 3)
        #expect(!info.processes && info.nodes.allSatisfy { $0.pid == nil })
        #expect(nodes.allSatisfy { $0.isRunning }, "an attached devnet leaves the nodes running")
    }

    /// Runs the built `backingd` with `arguments` to its end. - Returns: its standard output.
    static func runToEnd(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try launchSerially(process)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Each node in its own network namespace (`ip netns exec ns{index}` as the spawn prefix), reached at
    /// 10.x addresses through veth pairs on a bridge: the same backing, across network stacks.
    @Test(
        .timeLimit(.minutes(3)),
        .enabled(
            if: NetworkNamespaces.unavailableReason == nil,
            // Network namespaces, veth pairs and a bridge need root (CI runs as root).
            Comment(rawValue: NetworkNamespaces.unavailableReason ?? "")))
    func fourNodeProcessesInTheirOwnNetworkNamespacesBackEveryPara() async throws {
        let blocks = 4
        let network = try NetworkNamespaces(count: 4)
        defer { network.remove() }
        var configuration = Self.configuration(blocks: blocks)
        configuration.nodeAddresses = network.addresses
        configuration.basePort = 9100
        configuration.processes?.spawnPrefix = ["ip", "netns", "exec", "\(network.prefix){index}"]
        let (reports, info) = try await Self.run(Self.devnet(configuration)) { info in
            try await Self.expectLiveChildren(info)
            // Each node is in its own network namespace, none in ours.
            let own = ProcessTable.networkNamespace(of: getpid())
            let theirs = info.nodes.compactMap { $0.pid.map(ProcessTable.networkNamespace) }
            #expect(Set(theirs).count == 4 && !theirs.contains(own), "ours \(own), theirs \(theirs)")
        }

        Self.expectEveryParaBacked(reports, blocks: blocks)
        #expect(
            info.nodes.map(\.url) == network.addresses.enumerated().map { "http://\($0.element):\(9100 + $0.offset)" })
        Self.expectNoneLeft(info.nodes.compactMap(\.pid), folder: info.nodes[0].dataDirectory ?? "/nonexistent")
    }
}

/// `count` consecutive loopback ports nothing listens on (the nodes of an attached devnet are at base
/// port + i): a random base, each port bound once to check, up to 50 tries.
enum FreeConsecutivePorts {
    struct NoneFound: Error {}

    static func find(_ count: Int) throws -> Int {
        for _ in 0..<50 {
            let base = Int.random(in: 20_000..<60_000)
            if (base..<base + count).allSatisfy(isFree) { return base }
        }
        throw NoneFound()
    }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// What `/proc` says about processes.
enum ProcessTable {
    /// Whether `pid` exists and is not a zombie (a dead child nobody reaped yet).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        // `pid (name) S ppid …`: the state follows the name.
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// Its arguments joined by spaces.
    static func commandLine(of pid: Int32) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    /// `net:[4026531840]`: the network namespace `pid` is in.
    static func networkNamespace(of pid: Int32) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")) ?? "?"
    }

    /// Running processes whose command line contains `text`, as `pid: command`.
    static func processes(naming text: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { $0 != getpid() && isRunning($0) }.compactMap { pid in
            let command = commandLine(of: pid)
            return command.contains(text) ? "\(pid): \(command)" : nil
        }
    }
}

/// `count` network namespaces, each with a veth pair whose other end is on a bridge in ours: namespace i
/// has address 10.201.S.(i+1)/24, the bridge 10.201.S.254/24, so the nodes reach each other and this
/// process reaches them, as machines on one switch. Names and the subnet S derive from this process's
/// pid, so that runs never collide. ``remove()`` deletes everything (the veth ends go with their
/// namespaces).
struct NetworkNamespaces {
    let prefix: String
    let bridge: String
    let addresses: [String]

    /// Why this machine cannot run the test, `nil` when it can: root, and `ip netns add` working.
    static let unavailableReason: String? = {
        guard getuid() == 0 else {
            return "needs root for ip netns, veth pairs and a bridge (running as uid \(getuid()))"
        }
        let probe = "bkdprobe\(getpid() % 100_000)"
        do {
            try ip("netns", "add", probe)
            try ip("netns", "del", probe)
            return nil
        } catch {
            return "ip netns does not work here: \(error)"
        }
    }()

    init(count: Int) throws {
        let id = getpid() % 10_000
        let subnet = "10.201.\(20 + Int(id) % 200)"
        prefix = "bkd\(id)n"
        bridge = "bkd\(id)br"
        addresses = (0..<count).map { "\(subnet).\($0 + 1)" }
        remove()
        do {
            try Self.ip("link", "add", bridge, "type", "bridge")
            try Self.ip("addr", "add", "\(subnet).254/24", "dev", bridge)
            try Self.ip("link", "set", bridge, "up")
            for i in 0..<count {
                let namespace = "\(prefix)\(i)"
                let host = "bkd\(id)h\(i)"
                let inside = "bkd\(id)v\(i)"
                try Self.ip("netns", "add", namespace)
                try Self.ip("link", "add", host, "type", "veth", "peer", "name", inside)
                try Self.ip("link", "set", host, "master", bridge)
                try Self.ip("link", "set", host, "up")
                try Self.ip("link", "set", inside, "netns", namespace)
                try Self.ip("-n", namespace, "addr", "add", "\(addresses[i])/24", "dev", inside)
                try Self.ip("-n", namespace, "link", "set", inside, "up")
                try Self.ip("-n", namespace, "link", "set", "lo", "up")
            }
        } catch {
            remove()
            throw error
        }
    }

    /// Deletes the namespaces and the bridge (whatever of them exists).
    func remove() {
        for i in addresses.indices { try? Self.ip("netns", "del", "\(prefix)\(i)") }
        try? Self.ip("link", "del", bridge)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `ip arguments…`; throws with its standard error when it fails.
    static func ip(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        if !FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") {
            process.executableURL = URL(fileURLWithPath: "/sbin/ip")
        }
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try launchSerially(process)
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description:
                    "ip \(arguments.joined(separator: " ")): \(String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
    }
}

/// The settings that place nodes are checked before anything starts, each error naming its flag.
@Suite struct DevnetPlacementSettingsTests {
    static func refusal(_ change: (inout DevnetConfiguration) -> Void) -> String? {
        var configuration = DevnetConfiguration()
        configuration.validators = 4
        change(&configuration)
        do {
            try configuration.validate()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func nodeAddressesAreOneIPv4AddressPerValidator() {
        #expect(Self.refusal { $0.nodeAddresses = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"] } == nil)
        #expect(Self.refusal { $0.nodeAddresses = ["10.0.0.1", "10.0.0.2"] }?.hasPrefix("--node-addresses") == true)
        #expect(
            Self.refusal { $0.nodeAddresses = ["10.0.0.1", "bob", "10.0.0.3", "10.0.0.4"] }
                == "--node-addresses: bob is not an IPv4 address (a node listens on it)")
    }

    @Test func freePortsWorkOnLoopbackOnlyAndAttachingNeedsTheNodesPorts() {
        #expect(Self.refusal { $0.basePort = 0 } == nil)
        #expect(
            Self.refusal {
                $0.basePort = 0
                $0.nodeAddresses = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
            }?.hasPrefix("--base-port 0") == true)
        #expect(
            Self.refusal {
                $0.basePort = 0
                $0.attach = true
            } == "--attach needs the nodes' --base-port")
        #expect(
            Self.refusal {
                $0.attach = true
                $0.processes = .init(executable: "/usr/local/bin/backingd")
            }?.hasPrefix("--attach drives running nodes") == true)
    }

    @Test func theSpawnPrefixNamesEachNodesIndexAndAddress() {
        let options = DevnetConfiguration.ProcessOptions(
            executable: "/bin/backingd", spawnPrefix: ["ip", "netns", "exec", "ns{index}", "env", "ADDR={address}"])
        #expect(
            options.prefix(index: 2, address: "10.9.0.3") == ["ip", "netns", "exec", "ns2", "env", "ADDR=10.9.0.3"])
    }
}
