import Foundation

/// The OpenAPI document served at `/openapi.yaml` (the repository's `openapi.yaml`, bundled as a resource).
enum OpenAPIDocument {
    static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let data = try? Data(contentsOf: url)
        else { return Array("openapi document missing from the build\n".utf8) }
        return Array(data)
    }()
}
