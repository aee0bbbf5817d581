import ErasureCoding
import Primitives

/// Erasure coding's reconstruction. The first byte's low bit picks honest or hostile chunks.
///
/// Invariants: for data of any size and any validator count, any `k` of its chunks (or more, in any
/// order, some repeated) give the data back, and each chunk verifies against the erasure root with its
/// proof; chunks of any index, length and content never trap the decoder.
public enum ErasureReconstruction {
    @Sendable public static func check(_ data: [UInt8]) {
        var input = FuzzInput(data)
        if input.byte() & 1 == 0 { honest(&input) } else { hostile(&input) }
    }

    private static func honest(_ input: inout FuzzInput) {
        let validators = input.int(in: 2...80)
        let extra = input.int(in: 0...3)
        let order = input.bytes(8)
        let pvd = PersistedValidationData(
            parentHead: HeadData(bytes: input.bytes(input.int(in: 0...40))), relayParentNumber: 7,
            relayParentStorageRoot: .zero, maxPovSize: 5 << 20)
        let availableData = AvailableData(pov: PoV(input.rest()), validationData: pvd)
        let chunks: [[UInt8]]
        let root: H256
        do {
            chunks = try ErasureCoding.obtainChunks(nValidators: validators, availableData: availableData)
            root = try ErasureCoding.erasureRoot(nValidators: validators, availableData: availableData)
        } catch {
            preconditionFailure("encoding \(validators) chunks failed: \(error)")
        }
        precondition(chunks.count == validators, "\(chunks.count) chunks for \(validators) validators")

        // A permutation of the indices from the fuzzer's bytes, then the first k (+ extra, repeats allowed).
        var indices = Array(0..<validators)
        for i in indices.indices.reversed() where i > 0 {
            let j = (order.isEmpty ? 0 : Int(order[i % order.count])) &* 31 &+ i
            indices.swapAt(i, j % (i + 1))
        }
        let parameters: CodeParameters
        do { parameters = try CodeParameters(nValidators: validators) } catch {
            preconditionFailure("no code parameters for \(validators) validators: \(error)")
        }
        var chosen = indices.prefix(parameters.k).map { ErasureChunk(index: $0, bytes: chunks[$0]) }
        for i in 0..<extra { chosen.append(chosen[i % chosen.count]) }

        do {
            let back = try ErasureCoding.reconstruct(nValidators: validators, chunks: chosen)
            precondition(back == availableData, "\(parameters.k) of \(validators) chunks gave other data back")
        } catch {
            preconditionFailure("\(parameters.k) of \(validators) honest chunks did not reconstruct: \(error)")
        }

        let tree = ChunkTree(chunks: chunks)
        precondition(tree.root == root, "the chunk tree's root is not the erasure root")
        for chunk in chosen.prefix(3) {
            do {
                let proof = try tree.proof(forChunk: chunk.index)
                try ChunkTree.verifyChunk(chunk.bytes, index: chunk.index, proof: proof, root: root)
            } catch {
                preconditionFailure("chunk \(chunk.index)'s honest proof does not verify: \(error)")
            }
        }
    }

    private static func hostile(_ input: inout FuzzInput) {
        let validators = input.int(in: 0...300)
        let count = input.int(in: 0...40)
        var chunks: [ErasureChunk] = []
        for _ in 0..<count where !input.isAtEnd {
            let index = input.int(in: -2...330)
            let length = input.int(in: 0...64)
            chunks.append(ErasureChunk(index: index, bytes: input.bytes(length)))
        }
        _ = try? ErasureCoding.reconstruct(nValidators: validators, chunks: chunks)
    }
}
