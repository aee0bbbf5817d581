internal import CompactJSON
internal import Foundation
internal import Glibc
public import Logging
internal import Tracing

extension Logger.MetadataProvider {
    /// `trace_id` and `span_id` of the W3C trace context active in the current task (the span's with
    /// ``OTLPTracer``, the caller's `traceparent` without it), for every log line written inside it.
    public static let traceContext = Logger.MetadataProvider {
        guard let trace = ServiceContext.current?.traceContext else { return [:] }
        return [
            JSONLogHandler.traceIDKey: .string(trace.traceID.description),
            JSONLogHandler.spanIDKey: .string(trace.spanID.description),
        ]
    }
}

/// Writes each log record as one JSON line: `timestamp` (ISO-8601, UTC, milliseconds), `level`, `label`,
/// `message`, `metadata` (an object; nested values as JSON arrays and objects), and `trace_id` and `span_id`
/// at the top level when the metadata provider found an active trace context (see
/// ``Logging/Logger/MetadataProvider/traceContext``).
public struct JSONLogHandler: LogHandler {
    static let traceIDKey = "trace_id"
    static let spanIDKey = "span_id"

    /// Where lines go: one call per line, the newline included.
    public typealias Sink = @Sendable (String) -> Void

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: Sink

    public init(label: String, metadataProvider: Logger.MetadataProvider? = .traceContext, sink: @escaping Sink) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    /// A handler writing to standard error, one `write(2)` per line so that lines of concurrent tasks never
    /// interleave.
    public static func standardError(label: String, metadataProvider: Logger.MetadataProvider? = .traceContext)
        -> JSONLogHandler
    {
        JSONLogHandler(label: label, metadataProvider: metadataProvider) { line in
            var line = line
            line.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        let traceID = merged.removeValue(forKey: Self.traceIDKey)
        let spanID = merged.removeValue(forKey: Self.spanIDKey)
        var writer = JSONWriter(capacity: 256)
        writer.object { writer in
            writer.field("timestamp")
            writer.string(Date().formatted(Self.timestampStyle))
            writer.field("level")
            writer.string(event.level.rawValue)
            writer.field("label")
            writer.string(label)
            writer.field("message")
            writer.string(event.message.description)
            writer.field("metadata")
            Self.write(.dictionary(merged), into: &writer)
            writer.field("source")
            writer.string(event.source)
            if let traceID {
                writer.field("trace_id")
                Self.write(traceID, into: &writer)
            }
            if let spanID {
                writer.field("span_id")
                Self.write(spanID, into: &writer)
            }
        }
        var line = String(decoding: writer.bytes, as: UTF8.self)
        line.append("\n")
        sink(line)
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    private static func write(_ value: Logger.Metadata.Value, into writer: inout JSONWriter) {
        switch value {
        case .string(let text): writer.string(text)
        case .stringConvertible(let item): writer.string(item.description)
        case .array(let items): writer.array(items) { writer, item in write(item, into: &writer) }
        case .dictionary(let entries):
            // Keys are dynamic here (JSONWriter's `field` takes static keys), so each pair is written as a
            // one-key object's text, sorted by key, and spliced together.
            writer.raw(
                "{"
                    + entries.sorted { $0.key < $1.key }.map { key, item in
                        var inner = JSONWriter(capacity: 64)
                        inner.string(key)
                        var value = JSONWriter(capacity: 64)
                        write(item, into: &value)
                        return String(decoding: inner.bytes, as: UTF8.self) + ":"
                            + String(decoding: value.bytes, as: UTF8.self)
                    }.joined(separator: ",") + "}")
        }
    }
}
