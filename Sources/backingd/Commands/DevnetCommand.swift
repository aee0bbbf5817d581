import ArgumentParser
import Devnet
import Foundation
import Logging

/// `backingd devnet`: N validator nodes, wired as a network, and a relay chain driving them; one progress
/// line per block until Ctrl-C. The nodes run in this process, or with `--processes` each as its own
/// `backingd serve` child (at its own address and under a spawn prefix if told).
struct DevnetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devnet",
        abstract:
            "Run a local backing network: N nodes (//Alice, //Bob, …) on 127.0.0.1:(base-port + i), in this process or one process each."
    )

    @Option(help: "Number of validator nodes.") var validators = 6
    @Option(help: "Number of adder parachains (para ids 100, 101, …).") var paras = 2
    @Option(help: "Node i listens on (its address):(base-port + i).") var basePort = 9100
    @Flag(
        help:
            "Run each node as its own `backingd serve` process (its own data folder, port, key, web-hooks and peers); they stop with the devnet."
    ) var processes = false
    @Option(
        help:
            "Comma-separated node addresses, one per validator (default 127.0.0.1 for all): where node i listens and is reached."
    ) var nodeAddresses: String?
    @Option(
        help:
            "With --processes: words put before each node's command, {index} and {address} replaced: 'ip netns exec ns{index}'."
    ) var spawnPrefix: String?
    @Flag(
        help:
            "Start no node: drive nodes already running at (their address):(base-port + i), each started with the command --print-node-commands prints."
    ) var attach = false
    @Flag(
        help:
            "Print each node's `backingd serve` command (its data in --data-dir/node-<i>, default /var/lib/backingd) and exit."
    ) var printNodeCommands = false
    @Option(help: "Seconds between relay-chain blocks (decimals allowed).") var blockTime: Double = 6
    @Option(help: "Groups rotate across cores every this many blocks (0: never).") var groupRotation: UInt32 = 3
    @Option(help: "Stop after this many blocks (default: run until stopped).") var blocks: Int?
    @Flag(
        help:
            "Today's primitives: a claim queue per leaf, node features CandidateReceiptV2 and ElasticScalingMVP, V2 descriptors."
    ) var v2 = false
    @Flag(
        help:
            "Asynchronous backing (implies --v2): leaves with asyncBackingParams, ancestry and backing constraints; collators build on backed candidates; chains from POST /v1/backable-candidates."
    ) var asyncBacking = false
    @Option(help: "With --async-backing: the cores of para 100 (above 1: an elastic para, one candidate per core).")
    var elasticCores = 2
    @Option(help: "Folder for the nodes' databases (default: a temporary folder, removed on exit).")
    var dataDir: String?
    @Option(help: "The dashboard folder served at / (default: Public, found next to the binary's checkout).")
    var publicDir: String?
    @Option(
        help:
            "Export every node's spans and metrics over OTLP/HTTP (JSON) to this collector, e.g. http://127.0.0.1:4318."
    )
    var otlpEndpoint: String?
    @Option(help: "With --otlp-endpoint: how often each node's metrics are exported.")
    var otlpMetricsInterval = "60s"
    @Option(help: "Log lines as text or json (one object a line, with trace_id and span_id inside a trace).")
    var logFormat: LogFormat = .text

    func run() async throws {
        // The nodes' own logs would drown the progress lines; BACKINGD_LOG_LEVEL=info brings them back.
        Observability.bootstrapLogging(format: logFormat, defaultLevel: .warning)
        let metricsInterval = try Observability.metricsInterval(otlpMetricsInterval)
        let tracing = try Observability.bootstrapTracing(
            endpoint: otlpEndpoint, instance: "devnet:\(basePort)", logger: Logger(label: "backingd.devnet"))
        var configuration = DevnetConfiguration()
        configuration.validators = validators
        configuration.paras = paras
        configuration.basePort = basePort
        configuration.blockTime = .milliseconds(Int((blockTime * 1000).rounded()))
        configuration.groupRotationFrequency = groupRotation
        configuration.blocks = blocks
        configuration.v2 = v2
        configuration.asyncBacking = asyncBacking
        configuration.elasticCores = elasticCores
        configuration.dataDirectory = dataDir
        configuration.nodeFlags =
            (otlpEndpoint.map { ["--otlp-endpoint", $0, "--otlp-metrics-interval", otlpMetricsInterval] } ?? [])
            + (logFormat == .json ? ["--log-format", "json"] : [])
        configuration.publicDirectory = publicDir ?? PublicFolder.locate()
        if let nodeAddresses {
            configuration.nodeAddresses = nodeAddresses.split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        }
        if processes {
            configuration.processes = DevnetConfiguration.ProcessOptions(
                executable: Self.ownExecutable,
                spawnPrefix: (spawnPrefix ?? "").split(whereSeparator: \.isWhitespace).map(String.init))
        } else if spawnPrefix != nil {
            throw ValidationError("--spawn-prefix needs --processes")
        }
        configuration.attach = attach
        do { try configuration.validate() } catch { throw ValidationError("\(error)") }
        if printNodeCommands {
            let commands = try Devnet.serveCommands(
                configuration, executable: "backingd", dataRoot: dataDir ?? "/var/lib/backingd")
            for command in commands { say(command.map(shellQuoted).joined(separator: " ")) }
            return
        }

        let devnet = Devnet(configuration: configuration, logger: Logger(label: "backingd.devnet"))
        do { try await devnet.start() } catch {
            // The nodes already started (processes among them) stop before the error is reported.
            await devnet.shutdown()
            throw error
        }
        // Before the lines below: whoever reads them may send SIGTERM at once, and the nodes must then be
        // stopped in order, not left to the parent-death signal.
        let termination = SignalWaiter.install()
        say(
            "devnet: \(validators) validators\(processes ? " (one process each)" : ""), \(paras) paras, "
                + "a block every \(blockTime) s")
        if asyncBacking {
            say(
                "  asynchronous backing: para 100 on \(configuration.coreAssignment.filter { $0 == 100 }.count) cores, "
                    + "cores \(configuration.coreAssignment.enumerated().map { "\($0.offset)→\($0.element)" }.joined(separator: " "))"
            )
        }
        for node in await devnet.info.nodes {
            say("  \(node.name): \(node.url)  (dashboard \(node.url)/)\(node.pid.map { "  pid \($0)" } ?? "")")
        }
        // Node processes export their own metrics (they were given the flags); in-process nodes from here.
        let metrics = try Observability.exportMetrics(
            through: tracing, interval: metricsInterval, nodes: await devnet.inProcessMetrics,
            logger: Logger(label: "backingd.devnet"))
        let runner = Task { try await devnet.run { say($0.progressLine) } }
        let stopper = Task {
            await termination.wait()
            runner.cancel()
        }
        let outcome = await runner.result
        stopper.cancel()
        say("devnet: stopping")
        await devnet.shutdown()
        await metrics.shutdown()
        await tracing.shutdown()
        try outcome.get()
    }
}

extension DevnetCommand {
    /// This binary, for the node processes: `/proc/self/exe` resolved, so a relative or `PATH` start works.
    static var ownExecutable: String {
        let link = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        return link == "/proc/self/exe" ? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path : link
    }
}

/// Finds the dashboard: `Public` in the working directory, else in the checkout the binary was built
/// in (`.build/debug/backingd` → `./Public`), so `backingd devnet` works from anywhere in the repo.
enum PublicFolder {
    static func locate() -> String {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: "Public/index.html") { return "Public" }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("Public")
            if fileManager.fileExists(atPath: candidate.appendingPathComponent("index.html").path) {
                return candidate.path
            }
            folder.deleteLastPathComponent()
        }
        return "Public"
    }
}

/// `word` as a POSIX shell reads it back: as it is when it holds only safe characters, else single-quoted.
private func shellQuoted(_ word: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@%+")
    if !word.isEmpty && word.allSatisfy(safe.contains) { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Writes a line to standard output at once (`print` buffers when the output is a pipe, and a
/// progress line should show when its block is done).
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
