// swift-tools-version:6.0
import PackageDescription

/// Settings every Swift target shares: Swift 6 language mode plus the upcoming features we rely on.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// `backingd-fuzz`, the libFuzzer binary, only exists when `BACKINGD_FUZZ=1` (set by `make fuzz`): it has no
/// `main` of its own (libFuzzer's is linked in by `--sanitize fuzzer`), so a plain build could not link it.
let fuzzTargets: [Target] =
    Context.environment["BACKINGD_FUZZ"] == "1"
    ? [
        .executableTarget(
            name: "backingd-fuzz", dependencies: ["FuzzTargets"], path: "Fuzz/backingd-fuzz",
            swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])])
    ] : []

let package = Package(
    name: "backingd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "backingd", targets: ["backingd"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/swiftwasm/WasmKit", exact: "0.4.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // W3C trace context and spans: the API only (`withSpan`, ServiceContext); the tracer that exports
        // over OTLP is ours (Telemetry), so no NIO/protobuf stack is built (README "Tracing" says why).
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context", from: "1.0.0"),
    ],
    targets: [
        // C libraries (Debian packages; `make deps` installs them).
        .systemLibrary(
            name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // libdecaf ships no pkg-config file and its headers need `-I/usr/include/decaf`; this shim keeps
        // that include path private and exposes byte-array functions only (no aligned decaf structs).
        .target(
            name: "CDecaf",
            cSettings: [.unsafeFlags(["-I/usr/include/decaf"])],
            linkerSettings: [.linkedLibrary("decaf")]),
        // Wrappers for the variadic C functions Swift cannot import (MHD_start_daemon, curl_easy_setopt, ...).
        .target(name: "CShims", dependencies: ["CMicroHTTPD", "CCurl"]),

        // The core, inner to outer.
        .target(name: "CompactJSON", swiftSettings: swiftSettings),
        .target(name: "Primitives", dependencies: ["CSodium", "CompactJSON"], swiftSettings: swiftSettings),
        .target(
            name: "Crypto", dependencies: ["Primitives", "CSodium", "CDecaf"], swiftSettings: swiftSettings),
        .target(name: "ErasureCoding", dependencies: ["Primitives"], swiftSettings: swiftSettings),
        // The table is generic over its context; without cross-module optimisation every call from Backing
        // runs unspecialised (metadata lookups, witness calls): the import took 5.5 µs a statement, 3.2 µs with it.
        // Prospective parachains (asynchronous backing): the inclusion emulator and fragment chains; pure,
        // no HTTP, SQL or clock.
        .target(name: "ProspectiveParachains", dependencies: ["Primitives"], swiftSettings: swiftSettings),
        .target(
            name: "StatementTable",
            swiftSettings: swiftSettings + [
                .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))
            ]),
        .target(
            name: "Backing",
            dependencies: [
                "Primitives", "Crypto", "StatementTable", "ProspectiveParachains", "ErasureCoding",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings),
        // Outgoing messages as web-hooks (durable SQLite outbox, libcurl), plus the HTTP adapters for
        // PoV fetching and external validation.
        .target(
            name: "Webhooks",
            dependencies: [
                "Backing", "Primitives", "Crypto", "CompactJSON", "CCurl", "CShims", "CSodium", "Storage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings),

        // Adapters.
        .target(
            name: "Storage",
            dependencies: [
                "Backing", "Primitives", "Validation", .product(name: "GRDB", package: "GRDB.swift"),
                // The C API, for the WAL hook GRDB does not wrap (WALCheckpointer).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),

        // The HTTP/1.1 server over libmicrohttpd (knows nothing of backing).
        .target(
            name: "HTTPServer",
            dependencies: [
                "CMicroHTTPD", "CShims", "CompactJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings),
        // Embedded candidate validation: basic checks and the PVF in WasmKit (the only module that links it).
        .target(
            name: "Validation",
            dependencies: [
                "Backing", "Primitives", "Crypto", "ErasureCoding",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings),

        // The service: the HTTP API and web-hooks around the engine.
        .target(
            name: "BackingService",
            dependencies: [
                "Backing", "Primitives", "Crypto", "ErasureCoding", "StatementTable", "HTTPServer", "Webhooks",
                "Storage", "CompactJSON",
                "Validation",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: swiftSettings),

        // Traces and logs out of the process: the W3C trace-context propagator, the tracer that exports
        // spans as OTLP/HTTP JSON (through a sender the caller gives, libcurl in `backingd`), and JSON log lines
        // carrying the active span's ids.
        .target(
            name: "Telemetry",
            dependencies: [
                "CompactJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            swiftSettings: swiftSettings),

        // A local backing network: N nodes wired over HTTP (in one process or one process each) and a
        // simulated relay chain.
        .target(
            name: "Devnet",
            dependencies: [
                "BackingService", "Backing", "ProspectiveParachains", "Validation", "Primitives", "Crypto", "Webhooks",
                "HTTPServer", "CShims",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // The command line.
        .executableTarget(
            name: "backingd",
            dependencies: [
                "Primitives", "Crypto", "ErasureCoding", "Validation", "Backing", "ProspectiveParachains",
                "BackingService",
                "Devnet", "Webhooks", "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings, plugins: ["BuildInfo"]),
        // `backingd --version`: the git commit of the build, generated before every build.
        .plugin(name: "BuildInfo", capability: .buildTool()),

        // What each fuzz target checks on one input (libFuzzer's `backingd-fuzz` and FuzzRegressionTests
        // run the same checks).
        .target(
            name: "FuzzTargets",
            dependencies: [
                "Primitives", "CompactJSON", "Crypto", "ErasureCoding", "StatementTable", "Backing", "Validation",
                "BackingService",
            ],
            swiftSettings: swiftSettings),

        // Benchmarks print figures; they are never run as tests.
        .executableTarget(
            name: "backingd-bench",
            dependencies: [
                "Primitives", "Crypto", "ErasureCoding", "Backing", "ProspectiveParachains", "Webhooks", "Validation",
                "BackingService", "HTTPServer", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Benchmarks/backingd-bench",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "backingd-http-bench",
            dependencies: [
                "HTTPServer", "CMicroHTTPD", "CShims", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/backingd-http-bench",
            swiftSettings: swiftSettings),

        // Tests.
        .target(
            name: "TestSupport", dependencies: ["Primitives"], path: "Tests/TestSupport",
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PrimitivesTests", dependencies: ["Primitives", "CompactJSON", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CryptoTests", dependencies: ["Crypto", "Primitives", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "StatementTableTests", dependencies: ["StatementTable"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ProspectiveParachainsTests", dependencies: ["ProspectiveParachains", "Primitives"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "BackingTests",
            dependencies: [
                "Backing", "Crypto", "ErasureCoding", "Primitives", "ProspectiveParachains", "StatementTable",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: [
                "HTTPServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ErasureCodingTests", dependencies: ["ErasureCoding", "Primitives", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "Backing", "Primitives", "Validation", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "WebhooksTests",
            dependencies: [
                "Webhooks", "Backing", "Primitives", "Crypto", "CSodium", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ValidationTests",
            dependencies: [
                "Validation", "Backing", "Crypto", "ErasureCoding", "Primitives",
                .product(name: "WAT", package: "WasmKit"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "BackingServiceTests",
            dependencies: [
                "BackingService", "Primitives", "CompactJSON", "HTTPServer", "StatementTable", "Backing", "TestSupport",
                "Webhooks", .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TelemetryTests",
            dependencies: [
                "Telemetry", "HTTPServer", "Webhooks", "Backing", "Primitives", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            swiftSettings: swiftSettings),
        // Starts the built `backingd` binary with real HTTP peers, web-hook receivers and SQLite files.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "backingd", "Backing", "BackingService", "Crypto", "ErasureCoding", "HTTPServer", "Primitives",
                "ProspectiveParachains", "Validation", "Webhooks", "TestSupport", "CSodium",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
        // A 6-node devnet in-process, and 4-node devnets of `backingd serve` processes (on loopback and in
        // network namespaces): every para backed at every block, all nodes agreeing. Depends on `backingd`
        // so that the binary the node processes run is built first.
        .testTarget(
            name: "DevnetTests",
            dependencies: [
                "backingd", "Devnet", "Backing", "Primitives", "Validation", "Webhooks", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // Replays every committed seed and regression input of the fuzz targets.
        .testTarget(
            name: "FuzzRegressionTests",
            dependencies: ["FuzzTargets", "ErasureCoding", "Primitives", "Validation", "TestSupport"],
            resources: [.copy("Inputs")], swiftSettings: swiftSettings),
        // Runs the built `backingd` binary; depends on it so that it is built first.
        .testTarget(
            name: "BackingdCLITests", dependencies: ["backingd", "Crypto", "Primitives", "Validation", "TestSupport"],
            swiftSettings: swiftSettings),
    ] + fuzzTargets
)
