public import Tracing
public import W3CTraceContext

/// The W3C trace context (`traceparent` and `tracestate`) a ``ServiceContext`` carries: the caller's when it
/// was extracted from a request, the active span's inside a span of ``OTLPTracer``.
public enum TraceContextKey: ServiceContextKey {
    public typealias Value = TraceContext
    public static var nameOverride: String? { "traceparent" }
}

extension ServiceContext {
    /// The W3C trace context carried here, if any.
    public var traceContext: TraceContext? {
        get { self[TraceContextKey.self] }
        set { self[TraceContextKey.self] = newValue }
    }
}

/// Reading and writing the `traceparent` and `tracestate` headers (W3C Trace Context, level 1).
public enum W3CTraceHeaders {
    public static let traceParent = "traceparent"
    public static let traceState = "tracestate"

    /// The trace context of a `traceparent` header (and its `tracestate`), or `nil` when the header is absent
    /// or invalid: an invalid trace context is ignored, never an error (W3C §4.3: the receiver starts a new
    /// trace). A `tracestate` that does not parse is dropped and the `traceparent` kept (§3.3.1.1).
    public static func parse(traceParent: String?, traceState: String?) -> TraceContext? {
        guard let traceParent else { return nil }
        let trimmed = traceParent.trimmingBlanks()
        if let traceState,
            let context = try? TraceContext(
                traceParentHeaderValue: trimmed, traceStateHeaderValue: traceState),
            isValid(context.state)
        {
            return context
        }
        return try? TraceContext(traceParentHeaderValue: trimmed)
    }

    /// Whether every `tracestate` entry is well-formed (W3C §3.3.1.3): at most 32 entries, each key
    /// `lcalpha`/digit first then `a-z 0-9 _ - * / @` (at most 256 characters), each value 1–256 printable
    /// ASCII characters other than `,` and `=`, not ending in a space. The parser we use accepts more.
    static func isValid(_ state: TraceState) -> Bool {
        var count = 0
        for entry in state {
            count += 1
            let key = entry.vendor.rawValue.utf8
            let value = entry.value.utf8
            guard count <= 32, (1...256).contains(key.count), (1...256).contains(value.count),
                let first = key.first, (0x61...0x7A).contains(first) || (0x30...0x39).contains(first),
                key.allSatisfy({ byte in
                    (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || "_-*/@".utf8.contains(byte)
                }),
                value.allSatisfy({ (0x20...0x7E).contains($0) && $0 != 0x2C && $0 != 0x3D }), value.last != 0x20
            else { return false }
        }
        return true
    }

    /// Writes `context`'s `traceparent` (and `tracestate` when it has entries) with `injector`.
    public static func inject<Inject: Injector>(
        _ context: TraceContext, into carrier: inout Inject.Carrier, using injector: Inject
    ) {
        injector.inject(context.traceParentHeaderValue, forKey: traceParent, into: &carrier)
        if let state = context.traceStateHeaderValue {
            injector.inject(state, forKey: traceState, into: &carrier)
        }
    }
}

/// Carries a request's W3C trace context through the process unchanged when no span is exported: what a
/// request's `traceparent` said is what its web-hooks, PoV fetches and validation calls say (contract §8
/// point 28), at the cost of one header look-up per request. With `--otlp-endpoint`, ``OTLPTracer`` takes
/// its place and each hop gets its own span id.
public struct TraceContextPropagator: Instrument {
    public init() {}

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard
            let found = W3CTraceHeaders.parse(
                traceParent: extractor.extract(key: W3CTraceHeaders.traceParent, from: carrier),
                traceState: extractor.extract(key: W3CTraceHeaders.traceState, from: carrier))
        else { return }
        context.traceContext = found
    }

    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let trace = context.traceContext else { return }
        W3CTraceHeaders.inject(trace, into: &carrier, using: injector)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (W3C allows optional whitespace around a header value).
    fileprivate func trimmingBlanks() -> String {
        guard let first = firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(self[first...last])
    }
}
