import Crypto
public import Primitives

/// Polkadot's adder test parachain (`parachain/test-parachains/adder`), modelled in Swift independently of
/// its wasm (`pvf/adder/adder.c`), so that collators and tests can predict what the PVF must produce.
///
/// The para's state is a `u64`; a block adds a number to it (wrapping).
public enum AdderParachain {
    /// The para id `--dev` registers the adder for.
    public static let devParaId: ParaId = 100

    /// The adder's head: `HeadData {number: u64, parent_hash: [u8; 32], post_state: [u8; 32]}` (72 bytes).
    public struct Head: Hashable, Sendable {
        /// The block number.
        public var number: UInt64
        /// Keccak-256 of the parent head's bytes.
        public var parentHash: H256
        /// Keccak-256 of the state after the block (a `u64`, little-endian).
        public var postState: H256

        public init(number: UInt64, parentHash: H256, postState: H256) {
            self.number = number
            self.parentHash = parentHash
            self.postState = postState
        }

        /// The genesis head for `state`: block 0, zero parent hash.
        public static func genesis(state: UInt64 = 0) -> Head {
            Head(number: 0, parentHash: .zero, postState: AdderParachain.hashState(state))
        }

        /// The SCALE encoding, as the para's `HeadData`.
        public var headData: HeadData {
            var encoder = ScaleEncoder(reservingCapacity: 72)
            encoder.append(littleEndian: number)
            encoder.append(parentHash)
            encoder.append(postState)
            return HeadData(bytes: encoder.bytes)
        }

        /// Decodes the first 72 bytes of `headData` (SCALE ignores what follows, as the Rust original).
        public init(headData: HeadData) throws(ScaleDecodingError) {
            var decoder = ScaleDecoder(headData.bytes)
            number = try decoder.read()
            parentHash = try decoder.read()
            postState = try decoder.read()
        }
    }

    /// The adder's block: `BlockData {state: u64, add: u64}` (16 bytes).
    public struct Block: Hashable, Sendable {
        /// The state the block starts from (must hash to the parent's `postState`).
        public var state: UInt64
        /// The amount to add.
        public var add: UInt64

        public init(state: UInt64, add: UInt64) {
            self.state = state
            self.add = add
        }

        /// The SCALE encoding, as the PoV's `BlockData`.
        public var blockData: BlockData {
            var encoder = ScaleEncoder(reservingCapacity: 16)
            encoder.append(littleEndian: state)
            encoder.append(littleEndian: add)
            return BlockData(bytes: encoder.bytes)
        }
    }

    /// Why a block cannot be executed on a parent.
    public enum ExecutionError: Error, Equatable {
        /// The parent head's bytes are not an adder head.
        case malformedParent
        /// The block's starting state does not hash to the parent's `postState`.
        case stateMismatch
    }

    /// Keccak-256 of `state` as a little-endian `u64` (the adder's `hash_state`).
    public static func hashState(_ state: UInt64) -> H256 {
        Keccak256.hash(state.scaleEncoded)
    }

    /// The head the PVF produces for `block` on top of `parentHead` (the adder's `execute`).
    public static func execute(parentHead: HeadData, block: Block) throws(ExecutionError) -> Head {
        let parent: Head
        do { parent = try Head(headData: parentHead) } catch { throw .malformedParent }
        guard hashState(block.state) == parent.postState else { throw .stateMismatch }
        return Head(
            number: parent.number &+ 1, parentHash: Keccak256.hash(parentHead.bytes),
            postState: hashState(block.state &+ block.add))
    }
}

extension AdderParachain {
    /// The adder's validation code (`pvf/adder/adder.wasm`, built from `pvf/adder/adder.c`).
    public static var validationCode: ValidationCode { ValidationCode(bytes: wasm) }

    /// The blake2b-256 hash of ``validationCode``.
    public static var validationCodeHash: ValidationCodeHash { validationCode.hash }
}
