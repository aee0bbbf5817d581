/// A handler for one method on one path pattern, as registered with ``Router/add(_:_:accepts:mutating:inline:_:)``.
struct Route: Sendable {
    /// One `/`-separated piece of a pattern.
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    let method: HTTPMethod
    let pattern: String
    let segments: [Segment]
    /// Lowercased media types the body may have; `nil` accepts any.
    let accepts: Set<String>?
    let mutating: Bool
    /// Whether the handler may start on MHD's thread (it is cheap and suspends before any slow work).
    let inline: Bool
    let handler: @Sendable (HTTPRequest) async throws -> HTTPResponse
    /// How many literal segments the pattern has; among patterns matching a path, the most literal wins
    /// (`/v1/statements/batch` over `/v1/statements/{id}`).
    let specificity: Int

    init(
        method: HTTPMethod, pattern: String, accepts: [String]?, mutating: Bool, inline: Bool = false,
        handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) {
        self.method = method
        self.pattern = pattern
        self.segments = Route.segments(of: pattern)
        self.specificity = segments.reduce(0) { count, segment in
            if case .literal = segment { return count + 1 }
            return count
        }
        self.accepts = accepts.map { Set($0.map { $0.lowercased() }) }
        self.mutating = mutating
        self.inline = inline
        self.handler = handler
    }

    /// `"/v1/leaves/{hash}"` → `[.literal("v1"), .literal("leaves"), .parameter("hash")]`.
    static func segments(of pattern: String) -> [Segment] {
        pathComponents(pattern).map { piece in
            if piece.hasPrefix("{") && piece.hasSuffix("}") && piece.count > 2 {
                return .parameter(String(piece.dropFirst().dropLast()))
            }
            return .literal(String(piece))
        }
    }

    /// The non-empty `/`-separated pieces of a path (so `/a//b/` and `/a/b` are the same path).
    static func pathComponents(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// The path parameters if `components` matches this pattern, else `nil`.
    func match(_ components: [Substring]) -> [String: String]? {
        guard components.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, component) in zip(segments, components) {
            switch segment {
            case .literal(let literal): if literal != component { return nil }
            case .parameter(let name): parameters[name] = String(component)
            }
        }
        return parameters
    }
}
