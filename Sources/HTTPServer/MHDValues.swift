import CMicroHTTPD

/// Reading a connection's header fields and query arguments, as MHD parsed (and percent-decoded) them.
extension ServerContext {
    func value(of name: String, kind: MHD_ValueKind, on connection: OpaquePointer) -> String? {
        MHD_lookup_connection_value(connection, kind, name).map { String(cString: $0) }
    }

    func headers(on connection: OpaquePointer) -> HTTPHeaders {
        var headers = HTTPHeaders()
        _ = withUnsafeMutablePointer(to: &headers) { pointer in
            MHD_get_connection_values(connection, .HEADER_KIND, collectHeader, pointer)
        }
        return headers
    }

    /// Query arguments; when a name repeats the last value wins, and a name without `=` maps to `""`.
    func arguments(on connection: OpaquePointer) -> [String: String] {
        var arguments: [String: String] = [:]
        _ = withUnsafeMutablePointer(to: &arguments) { pointer in
            MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, collectArgument, pointer)
        }
        return arguments
    }
}

/// Appends one header field to the `HTTPHeaders` that `cls` points to (for the duration of the call).
private let collectHeader: MHD_KeyValueIterator = { cls, _, key, value in
    guard let cls, let key else { return .YES }
    cls.assumingMemoryBound(to: HTTPHeaders.self).pointee.add(
        name: String(cString: key), value: value.map { String(cString: $0) } ?? "")
    return .YES
}

/// Stores one query argument in the `[String: String]` that `cls` points to (for the duration of the call).
private let collectArgument: MHD_KeyValueIterator = { cls, _, key, value in
    guard let cls, let key else { return .YES }
    cls.assumingMemoryBound(to: [String: String].self).pointee[String(cString: key)] =
        value.map { String(cString: $0) } ?? ""
    return .YES
}
