import Foundation
import Logging
import Synchronization
import Telemetry
import Testing
import Tracing

/// `--log-format json`: one JSON object a line, with the active trace's ids.
@Suite struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    static func logger(into lines: Lines) -> Logger {
        Logger(label: "backingd.test") { label in
            var handler = JSONLogHandler(label: label) { line in lines.lines.withLock { $0.append(line) } }
            handler.logLevel = .debug
            return handler
        }
    }

    static func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func aLineInsideATraceCarriesTraceIdAndSpanIdAtTheTopLevel() throws {
        let lines = Lines()
        var logger = Self.logger(into: lines)
        logger[metadataKey: "node"] = "alice"
        var context = ServiceContext.topLevel
        context.traceContext = W3CTraceHeaders.parse(
            traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", traceState: nil)
        ServiceContext.withValue(context) {
            logger.warning("statement \"imported\"", metadata: ["candidate": "0xab", "peers": ["a", "b"]])
        }
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let object = try Self.object(line)
        #expect(object["level"] as? String == "warning")
        #expect(object["label"] as? String == "backingd.test")
        #expect(object["message"] as? String == "statement \"imported\"")
        #expect(object["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(object["span_id"] as? String == "00f067aa0ba902b7")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["node"] as? String == "alice")
        #expect(metadata["candidate"] as? String == "0xab")
        #expect(metadata["peers"] as? [String] == ["a", "b"])
        #expect(metadata["trace_id"] == nil)
        let timestamp = try #require(object["timestamp"] as? String)
        #expect((try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(timestamp)) != nil)
    }

    @Test func aLineOutsideAnyTraceHasNoTraceIds() throws {
        let lines = Lines()
        Self.logger(into: lines).info("started")
        let object = try Self.object(try #require(lines.all.first))
        #expect(object["message"] as? String == "started")
        #expect(object["trace_id"] == nil && object["span_id"] == nil)
        #expect((object["metadata"] as? [String: Any])?.isEmpty == true)
    }
}
