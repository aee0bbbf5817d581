/// The Prometheus text exposition format (version 0.0.4), read back into metric families: what `/metrics`
/// serves, as the OTLP metrics exporter sends it.
///
/// Why read our own text rather than record metrics twice: the node's metrics live in its Prometheus
/// registry, which swift-prometheus only lets out as this text. Reading it every export interval costs
/// nothing on the paths that update metrics (a second `MetricsFactory` behind a multiplexer would cost every
/// counter increment twice), and `/metrics` and OTLP can never disagree.
public enum PrometheusExposition {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram, summary, untyped
    }

    /// One line's sample: its name (a histogram's carry `_bucket`, `_sum` or `_count`), labels and value.
    public struct Sample: Sendable, Equatable {
        public let name: String
        public let labels: [Label]
        public let value: Double
        /// The value as written, when it is an integer (OTLP sends those as `asInt`).
        public let integer: Int64?

        public func label(_ key: String) -> String? { labels.first { $0.key == key }?.value }
    }

    public struct Label: Sendable, Equatable {
        public let key: String
        public let value: String
    }

    /// The samples under one `# TYPE`, in text order.
    public struct Family: Sendable {
        public let name: String
        public var kind: Kind
        public var help: String?
        public var samples: [Sample] = []
    }

    /// A line that is not a comment, a blank or a sample.
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }

        public var description: String { "metrics exposition line \(line): \(reason)" }
    }

    /// The families of `text`, in the order they first appear. A sample without a `# TYPE` is a family of
    /// its own, untyped; a histogram's `_bucket`, `_sum` and `_count` samples belong to its family.
    /// - Throws: ``SyntaxError`` naming the first line that does not parse.
    public static func parse(_ text: [UInt8]) throws(SyntaxError) -> [Family] {
        var families: [Family] = []
        var index: [String: Int] = [:]
        func family(_ name: String) -> Int {
            if let existing = index[name] { return existing }
            families.append(Family(name: name, kind: .untyped))
            index[name] = families.count - 1
            return families.count - 1
        }
        for (offset, line) in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            var reader = LineReader(line)
            reader.skipSpaces()
            if reader.atEnd { continue }
            if reader.peek == UInt8(ascii: "#") {
                reader.advance()
                reader.skipSpaces()
                let keyword = reader.word()
                guard keyword == "TYPE" || keyword == "HELP" else { continue }  // any other comment
                reader.skipSpaces()
                let name = reader.word()
                guard !name.isEmpty else { throw SyntaxError(line: number, reason: "\(keyword) names no metric") }
                reader.skipSpaces()
                let rest = reader.rest()
                let at = family(name)
                if keyword == "TYPE" {
                    guard let kind = Kind(rawValue: rest) else {
                        throw SyntaxError(line: number, reason: "unknown type \(rest) of \(name)")
                    }
                    families[at].kind = kind
                } else {
                    families[at].help = unescapeHelp(rest)
                }
                continue
            }
            let sample: Sample
            do { sample = try reader.sample() } catch { throw SyntaxError(line: number, reason: error.reason) }
            families[family(familyName(of: sample.name, in: families, index: index))].samples.append(sample)
        }
        return families
    }

    /// The family a sample belongs to: a histogram's or summary's for its suffixed samples.
    private static func familyName(of sample: String, in families: [Family], index: [String: Int]) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where sample.hasSuffix(suffix) {
            let base = String(sample.dropLast(suffix.count))
            if let at = index[base], families[at].kind == .histogram || families[at].kind == .summary { return base }
        }
        return sample
    }

    private static func unescapeHelp(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                result.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    private struct LineError: Error {
        let reason: String
    }

    /// Reads one line's bytes.
    private struct LineReader {
        let bytes: ArraySlice<UInt8>
        var position: Int

        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            position = bytes.startIndex
        }

        var atEnd: Bool { position >= bytes.endIndex }
        var peek: UInt8? { atEnd ? nil : bytes[position] }
        mutating func advance() { position += 1 }

        mutating func skipSpaces() {
            while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == 0x0D {
                advance()
            }
        }

        /// Up to the next space, `{` or the end.
        mutating func word() -> String {
            let start = position
            while let byte = peek, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t"), byte != UInt8(ascii: "{"),
                byte != 0x0D
            {
                advance()
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func rest() -> String {
            var end = bytes.endIndex
            while end > position, bytes[end - 1] == 0x0D || bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
            defer { position = bytes.endIndex }
            return String(decoding: bytes[position..<end], as: UTF8.self)
        }

        mutating func sample() throws(LineError) -> Sample {
            let name = word()
            guard !name.isEmpty else { throw LineError(reason: "a sample without a metric name") }
            var labels: [Label] = []
            if peek == UInt8(ascii: "{") {
                advance()
                while true {
                    skipSpaces()
                    if peek == UInt8(ascii: "}") {
                        advance()
                        break
                    }
                    let keyStart = position
                    while let byte = peek, byte != UInt8(ascii: "="), byte != UInt8(ascii: " ") { advance() }
                    let key = String(decoding: bytes[keyStart..<position], as: UTF8.self)
                    skipSpaces()
                    guard !key.isEmpty, peek == UInt8(ascii: "=") else {
                        throw LineError(reason: "a label of \(name) without `=`")
                    }
                    advance()
                    skipSpaces()
                    labels.append(Label(key: key, value: try quoted(of: name)))
                    skipSpaces()
                    if peek == UInt8(ascii: ",") { advance() }
                }
            }
            skipSpaces()
            let text = word()
            guard let value = Self.value(text) else {
                throw LineError(reason: "the value of \(name) is not a number: \(text.isEmpty ? "none" : text)")
            }
            // A timestamp may follow; OTLP's time is the export's.
            return Sample(name: name, labels: labels, value: value, integer: Int64(text))
        }

        /// A label value: `"…"` with `\\`, `\"` and `\n` escaped.
        mutating func quoted(of name: String) throws(LineError) -> String {
            guard peek == UInt8(ascii: "\"") else { throw LineError(reason: "a label value of \(name) is not quoted") }
            advance()
            var value: [UInt8] = []
            while let byte = peek {
                advance()
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: value, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let next = peek else { break }
                    advance()
                    value.append(next == UInt8(ascii: "n") ? UInt8(ascii: "\n") : next)
                default: value.append(byte)
                }
            }
            throw LineError(reason: "a label value of \(name) is not closed")
        }

        static func value(_ text: String) -> Double? {
            switch text {
            case "+Inf", "Inf": .infinity
            case "-Inf": -.infinity
            case "NaN": .nan
            default: Double(text)
            }
        }
    }
}
