internal import CompactJSON
internal import Tracing
internal import W3CTraceContext

/// OTLP's JSON encoding of `ExportTraceServiceRequest` (opentelemetry-proto
/// `collector/trace/v1/trace_service.proto`, JSON mapping of OTLP/HTTP): ids as lowercase hex (not base64),
/// enums as integers, 64-bit integers as decimal strings.
enum OTLPJSON {
    static let scopeName = "backingd"

    static func exportTraceServiceRequest(_ spans: [FinishedSpan], resource: [(String, String)]) -> [UInt8] {
        var writer = JSONWriter(capacity: 512 * spans.count + 256)
        request(
            resourceList: "resourceSpans", scopeList: "scopeSpans", itemList: "spans", resource: resource, into: &writer
        ) {
            writer in
            writer.array(spans) { writer, span in self.span(span, into: &writer) }
        }
        return writer.bytes
    }

    /// The envelope every OTLP export request shares: one resource with `resource` as its attributes, one scope
    /// (`backingd`), and in it the list `itemList` that `items` writes.
    static func request(
        resourceList: StaticString, scopeList: StaticString, itemList: StaticString, resource: [(String, String)],
        into writer: inout JSONWriter, items: (inout JSONWriter) -> Void
    ) {
        writer.object { writer in
            writer.field(resourceList)
            writer.array([()]) { writer, _ in
                writer.object { writer in
                    writer.field("resource")
                    writer.object { writer in
                        writer.field("attributes")
                        writer.array(resource) { writer, pair in
                            keyValue(pair.0, .string(pair.1), into: &writer)
                        }
                    }
                    writer.field(scopeList)
                    writer.array([()]) { writer, _ in
                        writer.object { writer in
                            writer.field("scope")
                            writer.object { writer in
                                writer.field("name")
                                writer.string(scopeName)
                            }
                            writer.field(itemList)
                            items(&writer)
                        }
                    }
                }
            }
        }
    }

    static func span(_ span: FinishedSpan, into writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("traceId")
            writer.string(span.trace.traceID.description)
            writer.field("spanId")
            writer.string(span.trace.spanID.description)
            if let parent = span.parentSpanID {
                writer.field("parentSpanId")
                writer.string(parent.description)
            }
            if let state = span.trace.traceStateHeaderValue {
                writer.field("traceState")
                writer.string(state)
            }
            writer.field("name")
            writer.string(span.name)
            writer.field("kind")
            writer.integer(kindNumber(span.kind))
            writer.field("startTimeUnixNano")
            writer.string(String(span.start))
            writer.field("endTimeUnixNano")
            writer.string(String(span.end))
            writer.field("attributes")
            attributes(span.attributes, into: &writer)
            if !span.events.isEmpty {
                writer.field("events")
                writer.array(span.events) { writer, event in
                    writer.object { writer in
                        writer.field("timeUnixNano")
                        writer.string(String(event.nanosecondsSinceEpoch))
                        writer.field("name")
                        writer.string(event.name)
                        writer.field("attributes")
                        attributes(event.attributes, into: &writer)
                    }
                }
            }
            if !span.links.isEmpty {
                writer.field("links")
                writer.array(span.links) { writer, link in
                    writer.object { writer in
                        writer.field("traceId")
                        writer.string(link.trace.traceID.description)
                        writer.field("spanId")
                        writer.string(link.trace.spanID.description)
                        writer.field("attributes")
                        attributes(link.attributes, into: &writer)
                    }
                }
            }
            writer.field("status")
            writer.object { writer in
                // STATUS_CODE_UNSET 0, OK 1, ERROR 2.
                writer.field("code")
                switch span.status?.code {
                case .ok: writer.integer(1)
                case .error: writer.integer(2)
                case nil: writer.integer(0)
                }
                if let message = span.status?.message {
                    writer.field("message")
                    writer.string(message)
                }
            }
        }
    }

    /// SPAN_KIND_INTERNAL 1, SERVER 2, CLIENT 3, PRODUCER 4, CONSUMER 5.
    static func kindNumber(_ kind: SpanKind) -> Int {
        switch kind {
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }

    static func attributes(_ attributes: SpanAttributes, into writer: inout JSONWriter) {
        var pairs: [(String, SpanAttribute)] = []
        attributes.forEach { key, value in pairs.append((key, value)) }
        pairs.sort { $0.0 < $1.0 }
        writer.array(pairs) { writer, pair in keyValue(pair.0, pair.1, into: &writer) }
    }

    /// `{"key": …, "value": AnyValue}`.
    static func keyValue(_ key: String, _ value: SpanAttribute, into writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("key")
            writer.string(key)
            writer.field("value")
            anyValue(value, into: &writer)
        }
    }

    static func anyValue(_ value: SpanAttribute, into writer: inout JSONWriter) {
        func array<T>(_ items: [T], _ element: (T) -> SpanAttribute) {
            writer.object { writer in
                writer.field("arrayValue")
                writer.object { writer in
                    writer.field("values")
                    writer.array(items) { writer, item in anyValue(element(item), into: &writer) }
                }
            }
        }
        switch value {
        case .int32(let number): integer(Int64(number), into: &writer)
        case .int64(let number): integer(number, into: &writer)
        case .double(let number):
            writer.object { writer in
                writer.field("doubleValue")
                double(number, into: &writer)
            }
        case .bool(let flag):
            writer.object { writer in
                writer.field("boolValue")
                writer.raw(flag ? "true" : "false")
            }
        case .string(let text): string(text, into: &writer)
        case .stringConvertible(let item): string(item.description, into: &writer)
        case .int32Array(let items): array(items) { .int32($0) }
        case .int64Array(let items): array(items) { .int64($0) }
        case .doubleArray(let items): array(items) { .double($0) }
        case .boolArray(let items): array(items) { .bool($0) }
        case .stringArray(let items): array(items) { .string($0) }
        case .stringConvertibleArray(let items): array(items) { .string($0.description) }
        default: string("\(value)", into: &writer)
        }
    }

    /// A double as OTLP's JSON mapping writes it: a number, or (JSON has none of them) `"NaN"`, `"Infinity"`,
    /// `"-Infinity"`.
    static func double(_ number: Double, into writer: inout JSONWriter) {
        if number.isFinite {
            writer.raw("\(number)")
        } else {
            writer.string(number.isNaN ? "NaN" : number > 0 ? "Infinity" : "-Infinity")
        }
    }

    private static func string(_ text: String, into writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("stringValue")
            writer.string(text)
        }
    }

    private static func integer(_ number: Int64, into writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("intValue")
            writer.string(String(number))
        }
    }
}
