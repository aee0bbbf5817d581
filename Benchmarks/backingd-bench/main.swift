// Prints benchmark figures; build with `-c release` for meaningful numbers.
// `backingd-bench [crypto] [erasure] [backing] [prospective] [journal] [webhooks] [validation] [service]` runs the named groups; none runs all.
// `backingd-bench service-batch` runs the batch import alone over 16 leaves (`service-batch-all`: with every
// event subscribed); `service-latency` the quorum latency alone over 500 candidates; `service-batch-async` the
// batch import at async-backing leaves (validation data with every Seconded, chains of five per para).
import Foundation

if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "export" {
    try ExportStatements.run(directory: CommandLine.arguments[2])
    exit(0)
}

// `serve`'s tracing set-up: the W3C propagator (no `--otlp-endpoint`), or with BACKINGD_BENCH_OTLP=1 the OTLP
// tracer exporting to a collector in this process (what `--otlp-endpoint` costs, a collector's receiving included).
let benchTracing = BenchTracing.bootstrap(otlp: ProcessInfo.processInfo.environment["BACKINGD_BENCH_OTLP"] == "1")

let groups = Set(CommandLine.arguments.dropFirst())
func wanted(_ group: String) -> Bool { groups.isEmpty || groups.contains(group) }

if wanted("erasure") { ErasureBenchmarks.run() }
if wanted("crypto") { await CryptoBenchmarks.run() }
if wanted("backing") { await BackingBenchmarks.run() }
if wanted("prospective") { ProspectiveBenchmarks.run() }
if wanted("journal") { await JournalBenchmarks.run() }
if wanted("webhooks") { await WebhookBenchmarks.run() }
if wanted("validation") { ValidationBenchmarks.run() }
if wanted("service") { await ServiceBenchmarks.run() }
if groups.contains("service-batch") { await ServiceBenchmarks.runBatchOnly() }
if groups.contains("service-batch-all") { await ServiceBenchmarks.runBatchOnly(subscription: "*") }
if groups.contains("service-latency") { await ServiceBenchmarks.runLatencyOnly() }
if groups.contains("service-batch-async") { await AsyncServiceBenchmarks.runBatchOnly() }
await benchTracing.finish()
