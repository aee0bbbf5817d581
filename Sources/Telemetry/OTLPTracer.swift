internal import Synchronization
public import Tracing
public import W3CTraceContext

/// A tracer whose spans follow the W3C trace context and, once ended, go to an ``OTLPSpanExporter``.
///
/// A span's parent is the trace context of the ``ServiceContext`` it starts in: a span of this tracer, or a
/// caller's `traceparent` extracted from a request (a remote parent). Without one it starts a new, sampled
/// trace. A parent that is not sampled (flag `00`) gives a span that is propagated but neither recorded nor
/// exported (the W3C "parent-based" rule). It is also the process's propagator: `inject` writes the active
/// span's `traceparent`, `extract` reads a caller's.
public struct OTLPTracer: Tracer {
    public typealias Span = OTLPSpan

    let exporter: OTLPSpanExporter

    public init(exporter: OTLPSpanExporter) {
        self.exporter = exporter
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> OTLPSpan {
        var context = context()
        let parent = context.traceContext
        let trace = TraceContext(
            traceID: parent?.traceID ?? TraceID.random(), spanID: SpanID.random(), flags: parent?.flags ?? .sampled,
            state: parent?.state ?? TraceState())
        context.traceContext = trace
        return OTLPSpan(
            operationName: operationName, kind: kind, context: context, trace: trace, parentSpanID: parent?.spanID,
            start: instant().nanosecondsSinceEpoch, exporter: trace.flags.contains(.sampled) ? exporter : nil)
    }

    public func forceFlush() {
        Task.detached { [exporter] in await exporter.exportPending() }
    }

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        TraceContextPropagator().extract(carrier, into: &context, using: extractor)
    }

    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        TraceContextPropagator().inject(context, into: &carrier, using: injector)
    }
}

/// A span of ``OTLPTracer``: recording until ``end(at:)``, which hands it to the exporter once.
public final class OTLPSpan: Tracing.Span {
    public let context: ServiceContext
    public let kind: SpanKind
    /// This span's trace id, span id, flags and state.
    public let trace: TraceContext
    public let parentSpanID: SpanID?
    let start: UInt64
    private let exporter: OTLPSpanExporter?
    private let state: Mutex<State>

    struct State {
        var operationName: String
        var attributes: SpanAttributes = [:]
        var events: [SpanEvent] = []
        var links: [SpanLink] = []
        var status: SpanStatus?
        var ended = false
    }

    init(
        operationName: String, kind: SpanKind, context: ServiceContext, trace: TraceContext, parentSpanID: SpanID?,
        start: UInt64, exporter: OTLPSpanExporter?
    ) {
        self.context = context
        self.kind = kind
        self.trace = trace
        self.parentSpanID = parentSpanID
        self.start = start
        self.exporter = exporter
        self.state = Mutex(State(operationName: operationName, ended: exporter == nil))
    }

    public var isRecording: Bool { state.withLock { !$0.ended } }

    public var operationName: String {
        get { state.withLock { $0.operationName } }
        set { state.withLock { if !$0.ended { $0.operationName = newValue } } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { if !$0.ended { $0.attributes = newValue } } }
    }

    public func setStatus(_ status: SpanStatus) {
        state.withLock { if !$0.ended { $0.status = status } }
    }

    public func addEvent(_ event: SpanEvent) {
        state.withLock { if !$0.ended { $0.events.append(event) } }
    }

    public func addLink(_ link: SpanLink) {
        state.withLock { if !$0.ended { $0.links.append(link) } }
    }

    /// Records `error` as an `exception` event (OpenTelemetry's semantic convention).
    public func recordError<Instant: TracerInstant>(
        _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {
        var attributes = attributes
        attributes["exception.type"] = "\(type(of: error))"
        attributes["exception.message"] = "\(error)"
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: attributes))
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        guard let exporter else { return }
        let end = instant().nanosecondsSinceEpoch
        let finished = state.withLock { state -> FinishedSpan? in
            guard !state.ended else { return nil }
            state.ended = true
            return FinishedSpan(
                name: state.operationName, kind: kind, trace: trace, parentSpanID: parentSpanID, start: start,
                end: end, attributes: state.attributes, events: state.events,
                links: state.links.compactMap { link in
                    link.context.traceContext.map { FinishedSpan.Link(trace: $0, attributes: link.attributes) }
                }, status: state.status)
        }
        if let finished { exporter.enqueue(finished) }
    }
}

/// An ended span, as the exporter sends it.
public struct FinishedSpan: Sendable {
    public struct Link: Sendable {
        public let trace: TraceContext
        public let attributes: SpanAttributes
    }

    public let name: String
    public let kind: SpanKind
    public let trace: TraceContext
    public let parentSpanID: SpanID?
    /// Nanoseconds since the Unix epoch.
    public let start: UInt64
    public let end: UInt64
    public let attributes: SpanAttributes
    public let events: [SpanEvent]
    public let links: [Link]
    public let status: SpanStatus?
}
