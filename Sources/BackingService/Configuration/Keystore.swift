import Crypto
import Foundation

/// Reads the validator's `para` key from a Substrate keystore folder: files named by the key type
/// (`70617261` = "para") followed by the public key in hex, each holding the secret URI as a JSON string.
enum Keystore {
    static let paraKeyType = "70617261"

    /// The first `para` key in `directory`.
    /// - Throws: ``ConfigurationError`` when the folder has none or it cannot be read.
    static func paraKey(in directory: String) throws(ConfigurationError) -> Sr25519Keypair {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.sorted() where name.hasPrefix(paraKeyType) {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path),
                let suri = (try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)) as? String
            else { throw .invalid(key: "keystore", reason: "\(path) does not hold a JSON string") }
            do {
                return try Sr25519Keypair(suri: suri)
            } catch {
                throw .invalid(key: "keystore", reason: "\(path): \(error)")
            }
        }
        throw .invalid(key: "keystore", reason: "no para key (file name starting with \(paraKeyType)) in \(directory)")
    }
}
