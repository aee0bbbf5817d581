import BackingService
import Foundation
import Logging
import Testing

/// The API the server registers and the one `openapi.yaml` documents are the same set.
struct OpenAPIRoutesTests {
    /// `(method, path)` pairs of the spec's `paths`, read from the YAML with a small line scanner (the
    /// document's layout: two-space path keys, four-space method keys).
    static func specOperations() throws -> Set<String> {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        var operations = Set<String>()
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" "), !line.isEmpty { inPaths = line.hasPrefix("paths:") }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.dropFirst(4).prefix { $0 != ":" }
                if ["get", "post", "put", "delete", "patch"].contains(key) {
                    operations.insert("\(key.uppercased()) \(path)")
                }
            }
        }
        return operations
    }

    @Test func everyRegisteredRouteIsInTheSpecAndBack() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "backingd-routes-\(UUID().uuidString)")
        var configuration = ServiceConfiguration()
        configuration.listen = "127.0.0.1:0"
        configuration.dataDirectory = directory.path
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let node = try BackingNode(configuration: configuration, logger: logger)
        var registered = Set(node.routes.map { "\($0.method) \($0.pattern)" })
        registered.insert("GET /")  // the dashboard: the static-file fallback
        let documented = try Self.specOperations()
        #expect(documented.count > 15)
        #expect(
            registered.subtracting(documented).isEmpty, "not in openapi.yaml: \(registered.subtracting(documented))")
        #expect(documented.subtracting(registered).isEmpty, "not served: \(documented.subtracting(registered))")
    }
}
