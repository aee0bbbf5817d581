/// Everything `backingd serve` can be told, after merging defaults, a config file, `BACKINGD_*`
/// environment variables and command-line flags (later sources win, in that order).
public struct ServiceConfiguration: Sendable, Equatable {
    /// `host:port` to listen on; port 0 picks a free one.
    public var listen = "127.0.0.1:8080"
    /// The validator's secret URI (`//Alice`, a phrase, `0x` seed); `nil` with no keystore = observer.
    public var validatorSeed: String?
    /// A Substrate keystore folder to take the `para` key from.
    public var keystore: String?
    /// `EVENT=URL` web-hook subscriptions.
    public var webhooks: [String] = []
    public var webhookSecret: String?
    /// How long a web-hook delivery is retried before it is dead-lettered.
    public var webhookGiveUp: Duration = .seconds(24 * 3600)
    /// How long delivered web-hook deliveries are kept (listed) before they are deleted.
    public var webhookRetention: Duration = .seconds(7 * 24 * 3600)
    /// How long events stay in the event log, replayable by `GET /v1/events` after a client's last id.
    public var eventRetention: Duration = .seconds(3600)
    /// Time between two heartbeat comments on an event stream (a hidden setting, for tests).
    public var eventHeartbeat: Duration = .seconds(15)
    /// `PUBKEY=URL` peers for PoV fetching (PUBKEY hex or SS58).
    public var peers: [String] = []
    /// An external validator; `nil` = embedded validation.
    public var validationURL: String?
    public var dataDirectory = "./.backingd"
    /// Bearer token required on mutating endpoints, when set.
    public var authToken: String?
    public var maxBodySize = 16 * 1024 * 1024
    /// The most request-body bytes buffered at once over all connections (beyond: 503 with Retry-After).
    public var maxInflightBytes = 256 * 1024 * 1024
    public var idleTimeout: Duration = .seconds(60)
    public var validationConcurrency = 4
    /// How long one validation may take (Polkadot's `BACKING_EXECUTION_TIMEOUT`, 2 s).
    public var backingTimeout: Duration = .seconds(2)
    /// How many sessions the signing history keeps a record after its session.
    public var signingHistorySessions = 6
    public var threadPoolSize = 4
    public var connectionLimit = 2048
    /// The folder served at `/` (the dashboard).
    public var publicDirectory = "Public"
    /// Registers the adder test parachain's validation code for para 100 at start.
    public var registerDevParachain = false
    /// The node is one process of a `backingd devnet --processes`: `PUT /v1/devnet` keeps the network
    /// description the devnet sends after every block, and `GET /v1/devnet` answers it (the dashboard
    /// draws the network from it). Not part of the contract's API.
    public var devnetDashboard = false

    public init() {}

    /// `--dev`: validator //Alice on 127.0.0.1:8080 with data in ./.backingd, and the adder registered.
    public static var development: ServiceConfiguration {
        var configuration = ServiceConfiguration()
        configuration.validatorSeed = "//Alice"
        configuration.registerDevParachain = true
        return configuration
    }

    /// The host and port of ``listen``.
    /// - Throws: ``ConfigurationError`` when it is not `host:port` with a port from 0 to 65535.
    public func listenAddress() throws(ConfigurationError) -> (host: String, port: UInt16) {
        guard let colon = listen.lastIndex(of: ":"), let port = UInt16(listen[listen.index(after: colon)...]) else {
            throw .invalid(key: "listen", reason: "expected host:port, got \(listen)")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}

/// A configuration value that could not be used.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(key: String, reason: String)
    case unreadableFile(String)

    public var description: String {
        switch self {
        case .invalid(let key, let reason): "\(key): \(reason)"
        case .unreadableFile(let path): "cannot read config file \(path)"
        }
    }
}
