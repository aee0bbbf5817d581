import Foundation

/// A span as an OTLP collector receives it, from an OTLP/HTTP JSON `ExportTraceServiceRequest`: the
/// telemetry unit tests and the two-node trace test read what the exporter sent through this one decoder.
public struct ExportedSpan: CustomStringConvertible, Sendable {
    public let traceId: String
    public let spanId: String
    public let parentSpanId: String?
    public let name: String
    /// OTLP `SpanKind` (1 internal, 2 server, 3 client); -1 when absent.
    public let kind: Int
    /// Each attribute's value as text (an int64 is a decimal string in OTLP JSON already).
    public let attributes: [String: String]
    /// OTLP `Status.code` (0 unset, 2 error); -1 when absent.
    public let statusCode: Int
    /// The exporting process's `service.instance.id` resource attribute ("" when absent).
    public let instance: String

    public var description: String { "\(instance) \(name) \(spanId)←\(parentSpanId ?? "root")" }

    /// Every span of one request body, flattened over its resources and scopes; nothing for a body that is
    /// not a JSON object.
    public static func decode(_ body: [UInt8]) -> [ExportedSpan] {
        guard let root = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return [] }
        return (root["resourceSpans"] as? [[String: Any]] ?? []).flatMap { resource -> [ExportedSpan] in
            let resourceAttributes = texts(of: (resource["resource"] as? [String: Any])?["attributes"])
            let instance = resourceAttributes["service.instance.id"] ?? ""
            return (resource["scopeSpans"] as? [[String: Any]] ?? []).flatMap { scope in
                (scope["spans"] as? [[String: Any]] ?? []).map { span in
                    ExportedSpan(
                        traceId: span["traceId"] as? String ?? "", spanId: span["spanId"] as? String ?? "",
                        parentSpanId: span["parentSpanId"] as? String, name: span["name"] as? String ?? "",
                        kind: span["kind"] as? Int ?? -1, attributes: texts(of: span["attributes"]),
                        statusCode: (span["status"] as? [String: Any])?["code"] as? Int ?? -1, instance: instance)
                }
            }
        }
    }

    /// OTLP `KeyValue`s (`[{"key": …, "value": {"stringValue": …}}]`) as text by key.
    private static func texts(of keyValues: Any?) -> [String: String] {
        var texts: [String: String] = [:]
        for pair in keyValues as? [[String: Any]] ?? [] {
            if let key = pair["key"] as? String, let value = (pair["value"] as? [String: Any])?.values.first {
                texts[key] = "\(value)"
            }
        }
        return texts
    }
}
