import Primitives

/// A node of Substrate's base-16 Patricia–Merkle trie without extension nodes (sp-trie layout V0),
/// with partial keys as nibble arrays.
enum TrieNode: Equatable {
    case empty
    case leaf(partial: [UInt8], value: [UInt8])
    /// `children[c]` is the child reference at nibble `c`: the child's encoding when it is shorter than 32
    /// bytes, otherwise its blake2b-256 hash.
    case branch(partial: [UInt8], value: [UInt8]?, children: [[UInt8]?])
}

/// Encodes and decodes trie nodes in sp-trie's format (erasure-coding.md §2.8).
enum TrieNodeCodec {
    private static let leafPrefix: UInt8 = 0b0100_0000
    private static let branchPrefix: UInt8 = 0b1000_0000
    private static let branchWithValuePrefix: UInt8 = 0b1100_0000
    /// The largest nibble count a header can carry (sp-trie caps it at u16::MAX).
    private static let maximumNibbleCount = 65535

    static func encode(_ node: TrieNode) -> [UInt8] {
        var encoder = ScaleEncoder()
        switch node {
        case .empty:
            encoder.append(UInt8(0))
        case .leaf(let partial, let value):
            appendHeader(leafPrefix, nibbleCount: partial.count, to: &encoder)
            appendPartial(partial, to: &encoder)
            encoder.appendBytes(value)
        case .branch(let partial, let value, let children):
            appendHeader(value == nil ? branchPrefix : branchWithValuePrefix, nibbleCount: partial.count, to: &encoder)
            appendPartial(partial, to: &encoder)
            var bitmap: UInt16 = 0
            for (nibble, child) in children.enumerated() where child != nil { bitmap |= 1 << nibble }
            encoder.append(littleEndian: bitmap)
            if let value { encoder.appendBytes(value) }
            for child in children { if let child { encoder.appendBytes(child) } }
        }
        return encoder.bytes
    }

    /// What a parent stores for a child: the encoding itself if it is shorter than a hash, else its hash.
    static func reference(to encoding: [UInt8]) -> [UInt8] {
        encoding.count < 32 ? encoding : Blake2b.hash256(encoding).bytes
    }

    /// A header byte with a 6-bit nibble count; counts of 63 or more continue in following bytes, each 255
    /// meaning "add 255 and go on" and any other byte ending the count.
    private static func appendHeader(_ prefix: UInt8, nibbleCount: Int, to encoder: inout ScaleEncoder) {
        let count = min(nibbleCount, maximumNibbleCount)
        guard count >= 63 else {
            encoder.append(prefix | UInt8(count))
            return
        }
        encoder.append(prefix | 63)
        var rest = count - 63
        while rest >= 255 {
            encoder.append(UInt8(255))
            rest -= 255
        }
        encoder.append(UInt8(rest))
    }

    /// Nibbles packed two to a byte, high first; an odd count puts the first nibble alone in a leading byte.
    private static func appendPartial(_ nibbles: [UInt8], to encoder: inout ScaleEncoder) {
        var index = 0
        if nibbles.count % 2 == 1 {
            encoder.append(nibbles[0])
            index = 1
        }
        while index < nibbles.count {
            encoder.append(nibbles[index] << 4 | nibbles[index + 1])
            index += 2
        }
    }

    /// Decodes one node that must fill `bytes`.
    /// - Throws: ``ErasureCodingError/invalidProof(_:)`` for anything that is not a well-formed node.
    static func decode(_ bytes: [UInt8]) throws(ErasureCodingError) -> TrieNode {
        do {
            var decoder = ScaleDecoder(bytes)
            let node = try decodeNode(&decoder)
            guard decoder.remaining == 0 else { throw ErasureCodingError.invalidProof("trailing bytes after a node") }
            return node
        } catch let error as ErasureCodingError {
            throw error
        } catch {
            throw .invalidProof("malformed trie node: \(error)")
        }
    }

    private static func decodeNode(_ decoder: inout ScaleDecoder) throws -> TrieNode {
        let header = try decoder.readByte()
        if header == 0 { return .empty }
        var count = Int(header & 63)
        if count == 63 {
            while true {
                let more = Int(try decoder.readByte())
                count += more
                guard count <= maximumNibbleCount else {
                    throw ErasureCodingError.invalidProof("nibble count overflow")
                }
                if more < 255 { break }
            }
        }
        let partial = try readPartial(&decoder, count: count)
        switch header & 0b1100_0000 {
        case leafPrefix:
            return .leaf(partial: partial, value: try decoder.readBytes())
        case branchPrefix, branchWithValuePrefix:
            let bitmap = try decoder.read(littleEndian: UInt16.self)
            guard bitmap != 0 else { throw ErasureCodingError.invalidProof("branch without children") }
            let value = header & 0b1100_0000 == branchWithValuePrefix ? try decoder.readBytes() : nil
            var children = [[UInt8]?](repeating: nil, count: 16)
            for nibble in 0..<16 where bitmap & (1 << nibble) != 0 {
                let reference = try decoder.readBytes()
                guard reference.count <= 32 else {
                    throw ErasureCodingError.invalidProof("child reference over 32 bytes")
                }
                children[nibble] = reference
            }
            return .branch(partial: partial, value: value, children: children)
        default:
            throw ErasureCodingError.invalidProof("unknown node header 0x\(String(header, radix: 16))")
        }
    }

    private static func readPartial(_ decoder: inout ScaleDecoder, count: Int) throws -> [UInt8] {
        let packed = try decoder.readRaw((count + 1) / 2)
        var nibbles = [UInt8]()
        nibbles.reserveCapacity(count)
        for (index, byte) in packed.enumerated() {
            if index == 0 && count % 2 == 1 {
                guard byte >> 4 == 0 else { throw ErasureCodingError.invalidProof("bad partial-key padding") }
                nibbles.append(byte)
            } else {
                nibbles.append(byte >> 4)
                nibbles.append(byte & 0x0F)
            }
        }
        return nibbles
    }
}
