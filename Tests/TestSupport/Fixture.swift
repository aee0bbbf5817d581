public import Foundation

/// Loads the project's test fixtures (copied from the reference oracles; see Fixtures/PROVENANCE.md).
public enum Fixture {
    /// The raw bytes of `Fixtures/<name>`.
    public static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            throw FixtureError.missing(name)
        }
        return try Data(contentsOf: url)
    }

    /// Decodes `Fixtures/<name>` as JSON.
    public static func load<T: Decodable>(_ type: T.Type, from name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: data(name))
    }
}

public enum FixtureError: Error { case missing(String) }
