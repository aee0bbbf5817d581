public import Foundation

extension FixedBytes {
    /// The raw bytes as `Data`, copied once (a SQLite blob, say), with no array in between.
    public var data: Data { withUnsafeBytes { Data($0) } }
}
