import ArgumentParser
import Foundation
import Primitives

/// Input and output helpers shared by the harness commands: JSON in from a file or `-` (standard input),
/// JSON out on standard output, and errors that name the field.
enum CommandIO {
    /// Reads `path`, or standard input for `-`.
    static func read(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        return data
    }

    /// Decodes `T` from the JSON in `path`, turning a bad field into a message that names it.
    static func decode<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        do {
            return try JSONInput.decode(T.self, from: read(path))
        } catch let error as JSONInputError {
            throw ValidationError("\(path == "-" ? "stdin" : path): \(error)")
        }
    }

    /// Prints `value` as pretty JSON with sorted keys.
    static func printJSON(_ value: some Encodable) throws {
        let data = try JSONOutput.encode(value, pretty: true)
        print(String(decoding: data, as: UTF8.self))
    }
}

/// Parses a 32-byte hash argument.
struct HashArgument: ExpressibleByArgument {
    let value: H256
    init?(argument: String) {
        guard let hash = H256(hex: argument) else { return nil }
        value = hash
    }
    static var defaultValueDescription: String { "0x + 64 hex digits" }
}
