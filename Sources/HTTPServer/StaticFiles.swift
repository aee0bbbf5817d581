public import Foundation

/// Serves the files under a folder (e.g. `Public/`) for `GET` and `HEAD`, with a content type from the
/// file extension; `/` and folders serve their `index.html`.
///
/// A path with a `.` or `..` segment, a backslash or a NUL is refused with 404, and the resolved file must lie
/// inside the folder after symbolic links are followed, so nothing outside it can be read. Files are read
/// whole with Foundation in the responder's task: meant for a small dashboard, not for large downloads.
public struct StaticFiles: HTTPResponder {
    /// The folder served, with symbolic links resolved.
    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL.resolvingSymlinksInPath()
    }

    public init(path: String) {
        self.init(root: URL(fileURLWithPath: path, isDirectory: true))
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        guard request.method == .get || request.method == .head else {
            var response = HTTPResponse.error(MethodNotAllowed(path: request.path, allowed: [.get]))
            response.routePattern = Router.unmatchedRoute
            return response
        }
        guard let file = resolve(request.path), let data = FileManager.default.contents(atPath: file.path) else {
            return .problem(.notFound("There is no resource at \(request.path)."))
        }
        return HTTPResponse(status: 200, headers: ["Content-Type": Self.contentType(of: file)], body: Array(data))
    }

    /// The regular file `path` names inside ``root``, or `nil`.
    func resolve(_ path: String) -> URL? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        for segment in segments
        where segment == "." || segment == ".." || segment.contains("\\") || segment.contains("\0") {
            return nil
        }
        var file = segments.reduce(root) { $0.appendingPathComponent(String($1)) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { file.appendPathComponent("index.html") }
        let resolved = file.resolvingSymlinksInPath()
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        guard resolved.path.hasPrefix(rootPath),
            FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isDirectory), !isDirectory.boolValue
        else { return nil }
        return resolved
    }

    /// The content type for a file name's extension (`application/octet-stream` if unknown).
    public static func contentType(of file: URL) -> String {
        contentTypes[file.pathExtension.lowercased()] ?? "application/octet-stream"
    }

    private static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
        "json": "application/json", "map": "application/json", "yaml": "application/yaml", "yml": "application/yaml",
        "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8", "svg": "image/svg+xml",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
        "ico": "image/x-icon", "wasm": "application/wasm", "woff": "font/woff", "woff2": "font/woff2",
    ]
}
