import BackingService
import Foundation
import Logging
import Testing

/// Settings merge as documented: `--dev` defaults < config file < `BACKINGD_*` environment < flags.
struct ConfigurationLoaderTests {
    @Test func laterSourcesWinAndListsReplaceEarlierOnes() throws {
        let file = Data(
            #"{"listen": "127.0.0.1:7000", "webhook": ["statement.share=http://a/"], "maxBody": 4096, "webhookGiveUp": "90s", "dataDir": "/from-file"}"#
                .utf8)
        let environment = [
            "BACKINGD_LISTEN": "127.0.0.1:7001", "BACKINGD_PEER": "0xaa=http://p1, 0xbb=http://p2", "PATH": "/bin",
            "BACKINGD_WEBHOOK_RETENTION": "48h",
        ]
        let configuration = try ConfigurationLoader.load(
            development: true, file: file, environment: environment, flags: ["listen": ["127.0.0.1:7002"]])
        #expect(configuration.listen == "127.0.0.1:7002")
        #expect(configuration.dataDirectory == "/from-file")
        #expect(configuration.webhooks == ["statement.share=http://a/"])
        #expect(configuration.peers == ["0xaa=http://p1", "0xbb=http://p2"])
        #expect(configuration.maxBodySize == 4096)
        #expect(configuration.webhookGiveUp == .seconds(90))
        #expect(configuration.webhookRetention == .seconds(48 * 3600))
        #expect(configuration.validatorSeed == "//Alice")  // from --dev
        #expect(configuration.registerDevParachain)
        #expect(try configuration.listenAddress() == ("127.0.0.1", 7002))
    }

    @Test func withoutDevThereIsNoValidatorKey() throws {
        let configuration = try ConfigurationLoader.load(development: false, file: nil, environment: [:], flags: [:])
        #expect(configuration.validatorSeed == nil)
        #expect(configuration.listen == "127.0.0.1:8080")
        #expect(configuration.dataDirectory == "./.backingd")
    }

    @Test func devnetDashboardIsABooleanFromTheFileTheEnvironmentOrTheFlag() throws {
        let off = try ConfigurationLoader.load(development: false, file: nil, environment: [:], flags: [:])
        #expect(!off.devnetDashboard)
        let file = try ConfigurationLoader.load(
            development: false, file: Data(#"{"devnetDashboard": true}"#.utf8), environment: [:], flags: [:])
        #expect(file.devnetDashboard)
        let environment = try ConfigurationLoader.load(
            development: false, file: Data(#"{"devnetDashboard": true}"#.utf8),
            environment: ["BACKINGD_DEVNET_DASHBOARD": "false"], flags: [:])
        #expect(!environment.devnetDashboard)
        #expect(throws: ConfigurationError.invalid(key: "devnetDashboard", reason: "expected true or false, got yes")) {
            try ConfigurationLoader.load(
                development: false, file: nil, environment: ["BACKINGD_DEVNET_DASHBOARD": "yes"], flags: [:])
        }
    }

    @Test func badValuesAndUnknownKeysAreNamed() {
        #expect(throws: ConfigurationError.invalid(key: "surprise", reason: "unknown setting")) {
            try ConfigurationLoader.load(
                development: false, file: Data(#"{"surprise": 1}"#.utf8), environment: [:], flags: [:])
        }
        #expect(
            throws: ConfigurationError.invalid(
                key: "maxBody", reason: "expected an integer from 1024 to 1073741824, got lots")
        ) {
            try ConfigurationLoader.load(
                development: false, file: nil, environment: ["BACKINGD_MAX_BODY": "lots"], flags: [:])
        }
        #expect(
            throws: ConfigurationError.invalid(
                key: "idleTimeout", reason: "expected a duration like 90s, 15m or 24h, got soon")
        ) {
            try ConfigurationLoader.load(
                development: false, file: nil, environment: [:], flags: ["idleTimeout": ["soon"]])
        }
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(development: false, file: Data("[1]".utf8), environment: [:], flags: [:])
        }
        var configuration = ServiceConfiguration()
        configuration.listen = "localhost"
        #expect(throws: ConfigurationError.invalid(key: "listen", reason: "expected host:port, got localhost")) {
            try configuration.listenAddress()
        }
    }

    @Test func eventsAreKeptAnHourAndHeartbeatEveryFifteenSecondsUnlessSetAndAZeroHeartbeatIsRefused() throws {
        let defaults = try ConfigurationLoader.load(development: false, file: nil, environment: [:], flags: [:])
        #expect(defaults.eventRetention == .seconds(3600))
        #expect(defaults.eventHeartbeat == .seconds(15))
        let set = try ConfigurationLoader.load(
            development: false, file: Data(#"{"eventRetention": "2h"}"#.utf8),
            environment: ["BACKINGD_EVENT_HEARTBEAT": "250ms"], flags: [:])
        #expect(set.eventRetention == .seconds(7200))
        #expect(set.eventHeartbeat == .milliseconds(250))
        #expect(
            throws: ConfigurationError.invalid(key: "eventHeartbeat", reason: "expected a duration above zero, got 0s")
        ) {
            try ConfigurationLoader.load(
                development: false, file: nil, environment: [:], flags: ["eventHeartbeat": ["0s"]])
        }
    }

    @Test func durationsTakeUnits() throws {
        for (text, expected) in [
            ("500ms", Duration.milliseconds(500)), ("15m", .seconds(900)), ("24h", .seconds(86_400)),
            ("2", .seconds(2)),
        ] {
            let configuration = try ConfigurationLoader.load(
                development: false, file: nil, environment: [:], flags: ["webhookGiveUp": [text]])
            #expect(configuration.webhookGiveUp == expected, "\(text)")
        }
    }
}

extension ConfigurationLoaderTests {
    @Test func aSubstrateKeystoreParaKeyBecomesTheValidatorKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "backingd-keystore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Substrate's layout: key type "para" (70617261) + public key hex, holding the secret URI as JSON.
        let bob = "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48"
        try Data("\"//Bob\"".utf8).write(to: directory.appendingPathComponent("6175726180000000"))
        try Data("\"//Bob\"".utf8).write(to: directory.appendingPathComponent("70617261" + bob))
        var configuration = ServiceConfiguration()
        configuration.listen = "127.0.0.1:0"
        configuration.keystore = directory.path
        configuration.dataDirectory = directory.appendingPathComponent("data").path
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let node = try BackingNode(configuration: configuration, logger: logger)
        #expect(node.subsystem.keypair?.publicKey.hex == "0x" + bob)

        configuration.keystore = directory.appendingPathComponent("empty").path
        #expect(throws: ConfigurationError.self) { try BackingNode(configuration: configuration, logger: logger) }
    }
}
