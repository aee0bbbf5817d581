/// A parachain head (`HeadData(Vec<u8>)`); its hash is blake2b-256 of the raw bytes, without length prefix.
public struct HeadData: ByteVector {
    public var bytes: [UInt8]
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// What `CandidateDescriptor.paraHead` must equal.
    public var hash: H256 { Blake2b.hash256(bytes) }
}

/// A parachain's wasm validation function (`ValidationCode(Vec<u8>)`).
public struct ValidationCode: ByteVector {
    public var bytes: [UInt8]
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// `ValidationCodeHash`: blake2b-256 of the raw code, without length prefix.
    public var hash: ValidationCodeHash { Blake2b.hash256(bytes) }
}

/// The block a collator built (`BlockData(Vec<u8>)`).
public struct BlockData: ByteVector {
    public var bytes: [UInt8]
    public init(bytes: [UInt8]) { self.bytes = bytes }
}
