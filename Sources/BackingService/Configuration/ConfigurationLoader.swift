public import Foundation

/// Merges configuration sources into a ``ServiceConfiguration``.
///
/// Every setting has one key, spelled `camelCase` in the JSON config file, `BACKINGD_UPPER_SNAKE` in the
/// environment and `--kebab-case` on the command line: `listen`, `validatorSeed`, `keystore`, `webhook`
/// (list), `webhookSecret`, `webhookGiveUp`, `webhookRetention`, `eventRetention`, `eventHeartbeat`, `peer` (list),
/// `validationUrl`, `dataDir`, `authToken`, `maxBody`, `maxInflightBytes`, `idleTimeout`, `validationConcurrency`,
/// `threadPool`, `connectionLimit`, `publicDir`, `devnetDashboard` (`true` or `false`).
/// List values in the environment are comma-separated. Durations take `s`, `m`, `h` suffixes (`90s`, `24h`)
/// or plain seconds.
public enum ConfigurationLoader {
    /// One source's settings: key → values (one value for scalars, any number for lists).
    public typealias Settings = [String: [String]]

    public static let keys = [
        "listen", "validatorSeed", "keystore", "webhook", "webhookSecret", "webhookGiveUp", "webhookRetention",
        "eventRetention", "eventHeartbeat", "peer",
        "validationUrl",
        "dataDir", "authToken", "maxBody", "maxInflightBytes", "idleTimeout", "validationConcurrency", "threadPool",
        "connectionLimit",
        "signingHistorySessions", "backingTimeout",
        "publicDir", "devnetDashboard",
    ]
    static let listKeys: Set<String> = ["webhook", "peer"]

    /// Builds the configuration: `--dev` defaults (when `development`), then the file, the environment and
    /// the flags, each overriding the one before.
    /// - Throws: ``ConfigurationError`` naming the key of a bad value, or an unknown key in the file.
    public static func load(
        development: Bool, file: Data?, environment: [String: String], flags: Settings
    ) throws(ConfigurationError) -> ServiceConfiguration {
        var configuration = development ? ServiceConfiguration.development : ServiceConfiguration()
        if let file { try apply(try settings(fromFile: file), to: &configuration) }
        try apply(settings(fromEnvironment: environment), to: &configuration)
        try apply(flags, to: &configuration)
        return configuration
    }

    /// Reads a JSON object whose values are strings, numbers, booleans or arrays of strings.
    static func settings(fromFile data: Data) throws(ConfigurationError) -> Settings {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .invalid(key: "config", reason: "the config file must be a JSON object")
        }
        var settings = Settings()
        for (key, value) in object {
            guard keys.contains(key) else { throw .invalid(key: key, reason: "unknown setting") }
            switch value {
            case let list as [Any]: settings[key] = list.map { "\($0)" }
            case let number as NSNumber: settings[key] = [number.stringValue]
            default: settings[key] = ["\(value)"]
            }
        }
        return settings
    }

    /// `BACKINGD_LISTEN`, `BACKINGD_VALIDATOR_SEED`, `BACKINGD_WEBHOOK` (comma-separated), …
    static func settings(fromEnvironment environment: [String: String]) -> Settings {
        var settings = Settings()
        for key in keys {
            guard let value = environment["BACKINGD_" + upperSnake(key)] else { continue }
            settings[key] =
                listKeys.contains(key)
                ? value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [value]
        }
        return settings
    }

    static func upperSnake(_ key: String) -> String {
        var out = ""
        for character in key {
            if character.isUppercase { out += "_" }
            out += character.uppercased()
        }
        return out
    }

    static func apply(_ settings: Settings, to c: inout ServiceConfiguration) throws(ConfigurationError) {
        for (key, values) in settings {
            if listKeys.contains(key) {
                if key == "webhook" { c.webhooks = values } else { c.peers = values }
                continue
            }
            guard let value = values.last else { continue }
            switch key {
            case "listen": c.listen = value
            case "validatorSeed": c.validatorSeed = value.isEmpty ? nil : value
            case "keystore": c.keystore = value
            case "webhookSecret": c.webhookSecret = value
            case "webhookGiveUp": c.webhookGiveUp = try duration(value, key: key)
            case "webhookRetention": c.webhookRetention = try duration(value, key: key)
            case "eventRetention": c.eventRetention = try duration(value, key: key)
            case "eventHeartbeat":
                c.eventHeartbeat = try duration(value, key: key)
                guard c.eventHeartbeat > .zero else {
                    throw .invalid(key: key, reason: "expected a duration above zero, got \(value)")
                }
            case "validationUrl": c.validationURL = value
            case "dataDir": c.dataDirectory = value
            case "authToken": c.authToken = value.isEmpty ? nil : value
            case "maxBody": c.maxBodySize = try integer(value, key: key, range: 1024...(1 << 30))
            case "maxInflightBytes": c.maxInflightBytes = try integer(value, key: key, range: 1024...(1 << 40))
            case "idleTimeout": c.idleTimeout = try duration(value, key: key)
            case "validationConcurrency": c.validationConcurrency = try integer(value, key: key, range: 1...1024)
            case "threadPool": c.threadPoolSize = try integer(value, key: key, range: 1...256)
            case "connectionLimit": c.connectionLimit = try integer(value, key: key, range: 1...1_000_000)
            case "publicDir": c.publicDirectory = value
            case "devnetDashboard": c.devnetDashboard = try boolean(value, key: key)
            case "backingTimeout": c.backingTimeout = try duration(value, key: key)
            case "signingHistorySessions":
                c.signingHistorySessions = try integer(value, key: key, range: 1...100_000)
            default: throw .invalid(key: key, reason: "unknown setting")
            }
        }
    }

    static func integer(_ text: String, key: String, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw .invalid(
                key: key, reason: "expected an integer from \(range.lowerBound) to \(range.upperBound), got \(text)")
        }
        return value
    }

    /// `true`/`false` (a JSON boolean in the file), `1`/`0`.
    static func boolean(_ text: String, key: String) throws(ConfigurationError) -> Bool {
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw .invalid(key: key, reason: "expected true or false, got \(text)")
        }
    }

    /// `90`, `90s`, `15m`, `24h`, `500ms`.
    public static func duration(_ text: String, key: String) throws(ConfigurationError) -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number >= 0 {
                return .milliseconds(Int64(number * scale * 1000))
            }
        }
        if let seconds = Double(text), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        throw .invalid(key: key, reason: "expected a duration like 90s, 15m or 24h, got \(text)")
    }
}
