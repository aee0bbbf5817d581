internal import CompactJSON

/// OTLP's JSON encoding of `ExportMetricsServiceRequest` (opentelemetry-proto
/// `collector/metrics/v1/metrics_service.proto`) for metric families read from the Prometheus exposition,
/// mapped as the OpenTelemetry Collector's Prometheus receiver maps them: a counter is a cumulative
/// monotonic sum, a gauge (or an untyped metric) a gauge, a histogram a cumulative histogram whose
/// cumulative `le` buckets become per-bucket counts, a summary a summary. Labels become attributes; names
/// stay as `/metrics` spells them.
enum OTLPMetricsJSON {
    /// `AGGREGATION_TEMPORALITY_CUMULATIVE`: Prometheus counts from the registry's creation.
    static let cumulative = 2

    static func exportMetricsServiceRequest(
        _ families: [PrometheusExposition.Family], resource: [(String, String)], startNanos: UInt64,
        timeNanos: UInt64
    ) -> [UInt8] {
        let times = Times(start: String(startNanos), now: String(timeNanos))
        var writer = JSONWriter(capacity: 256 * families.count + 256)
        OTLPJSON.request(
            resourceList: "resourceMetrics", scopeList: "scopeMetrics", itemList: "metrics", resource: resource,
            into: &writer
        ) { writer in
            writer.array(families.filter { !$0.samples.isEmpty }) { writer, family in
                metric(family, times: times, into: &writer)
            }
        }
        return writer.bytes
    }

    struct Times {
        let start: String
        let now: String
    }

    static func metric(_ family: PrometheusExposition.Family, times: Times, into writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("name")
            writer.string(family.name)
            if let help = family.help, !help.isEmpty {
                writer.field("description")
                writer.string(help)
            }
            switch family.kind {
            case .counter:
                writer.field("sum")
                writer.object { writer in
                    writer.field("aggregationTemporality")
                    writer.integer(cumulative)
                    writer.field("isMonotonic")
                    writer.raw("true")
                    writer.field("dataPoints")
                    writer.array(family.samples) { writer, sample in numberPoint(sample, times: times, into: &writer) }
                }
            case .gauge, .untyped:
                writer.field("gauge")
                writer.object { writer in
                    writer.field("dataPoints")
                    writer.array(family.samples) { writer, sample in numberPoint(sample, times: times, into: &writer) }
                }
            case .histogram:
                writer.field("histogram")
                writer.object { writer in
                    writer.field("aggregationTemporality")
                    writer.integer(cumulative)
                    writer.field("dataPoints")
                    writer.array(series(family)) { writer, series in
                        histogramPoint(series, family: family.name, times: times, into: &writer)
                    }
                }
            case .summary:
                writer.field("summary")
                writer.object { writer in
                    writer.field("dataPoints")
                    writer.array(series(family)) { writer, series in
                        summaryPoint(series, family: family.name, times: times, into: &writer)
                    }
                }
            }
        }
    }

    /// A histogram's or summary's samples grouped by their labels other than `le` and `quantile`, in order.
    static func series(_ family: PrometheusExposition.Family) -> [(
        labels: [PrometheusExposition.Label], samples: [PrometheusExposition.Sample]
    )] {
        var result: [(labels: [PrometheusExposition.Label], samples: [PrometheusExposition.Sample])] = []
        for sample in family.samples {
            let labels = sample.labels.filter { $0.key != "le" && $0.key != "quantile" }
            if let at = result.firstIndex(where: { $0.labels == labels }) {
                result[at].samples.append(sample)
            } else {
                result.append((labels, [sample]))
            }
        }
        return result
    }

    static func numberPoint(_ sample: PrometheusExposition.Sample, times: Times, into writer: inout JSONWriter) {
        writer.object { writer in
            pointHeader(sample.labels, times: times, into: &writer)
            if let integer = sample.integer {
                writer.field("asInt")
                writer.string(String(integer))
            } else {
                writer.field("asDouble")
                OTLPJSON.double(sample.value, into: &writer)
            }
        }
    }

    static func histogramPoint(
        _ series: (labels: [PrometheusExposition.Label], samples: [PrometheusExposition.Sample]), family: String,
        times: Times, into writer: inout JSONWriter
    ) {
        var bounds: [(bound: Double, cumulative: Double)] = []
        var count = 0.0
        var sum = 0.0
        for sample in series.samples {
            if sample.name == family + "_bucket", let le = sample.label("le"),
                let bound = le == "+Inf" ? Double.infinity : Double(le)
            {
                bounds.append((bound, sample.value))
            } else if sample.name == family + "_sum" {
                sum = sample.value
            } else if sample.name == family + "_count" {
                count = sample.value
            }
        }
        bounds.sort { $0.bound < $1.bound }
        let finite = bounds.filter { $0.bound.isFinite }
        // Per-bucket counts from cumulative ones; the last bucket takes what lies above the last bound.
        var counts: [UInt64] = []
        var below = 0.0
        for bucket in finite {
            counts.append(UInt64(max(0, bucket.cumulative - below)))
            below = max(below, bucket.cumulative)
        }
        counts.append(UInt64(max(0, count - below)))
        writer.object { writer in
            aggregatePointHeader(series.labels, count: count, sum: sum, times: times, into: &writer)
            writer.field("bucketCounts")
            writer.array(counts) { writer, count in writer.string(String(count)) }
            writer.field("explicitBounds")
            writer.array(finite) { writer, bucket in OTLPJSON.double(bucket.bound, into: &writer) }
        }
    }

    static func summaryPoint(
        _ series: (labels: [PrometheusExposition.Label], samples: [PrometheusExposition.Sample]), family: String,
        times: Times, into writer: inout JSONWriter
    ) {
        let quantiles = series.samples.compactMap { sample -> (Double, Double)? in
            guard sample.name == family, let quantile = sample.label("quantile").flatMap(Double.init) else {
                return nil
            }
            return (quantile, sample.value)
        }
        let count = series.samples.first { $0.name == family + "_count" }?.value ?? 0
        let sum = series.samples.first { $0.name == family + "_sum" }?.value ?? 0
        writer.object { writer in
            aggregatePointHeader(series.labels, count: count, sum: sum, times: times, into: &writer)
            writer.field("quantileValues")
            writer.array(quantiles) { writer, pair in
                writer.object { writer in
                    writer.field("quantile")
                    OTLPJSON.double(pair.0, into: &writer)
                    writer.field("value")
                    OTLPJSON.double(pair.1, into: &writer)
                }
            }
        }
    }

    /// A histogram's or summary's point up to its own fields: attributes, times, `count` and `sum`.
    static func aggregatePointHeader(
        _ labels: [PrometheusExposition.Label], count: Double, sum: Double, times: Times, into writer: inout JSONWriter
    ) {
        pointHeader(labels, times: times, into: &writer)
        writer.field("count")
        writer.string(String(UInt64(max(0, count))))
        writer.field("sum")
        OTLPJSON.double(sum, into: &writer)
    }

    static func pointHeader(_ labels: [PrometheusExposition.Label], times: Times, into writer: inout JSONWriter) {
        writer.field("attributes")
        writer.array(labels.filter { $0.key != "le" && $0.key != "quantile" }) { writer, label in
            OTLPJSON.keyValue(label.key, .string(label.value), into: &writer)
        }
        writer.field("startTimeUnixNano")
        writer.string(times.start)
        writer.field("timeUnixNano")
        writer.string(times.now)
    }
}
