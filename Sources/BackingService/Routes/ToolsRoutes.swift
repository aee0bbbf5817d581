import ErasureCoding
import HTTPServer
import Primitives

/// Harness helpers: `POST /v1/tools/candidate-hash` and `POST /v1/tools/erasure-root`.
enum ToolsRoutes {
    static func register(on router: inout Router, context: ServiceContext) {
        router.route(.post, "/v1/tools/candidate-hash") { request in
            let receipt = try context.decode(CandidateHashRequest.self, from: request).candidate
            do throws(CommittedCandidateReceiptError) {
                return .json(try CandidateHashReport(receipt))
            } catch {
                throw ProblemDetails.unprocessable("candidate.\(CandidateHashReport.field(of: error)): \(error)")
            }
        }
        router.route(.post, "/v1/tools/erasure-root") { request in
            let body = try context.decode(ErasureRootRequest.self, from: request)
            let chunks = try ErasureCoding.obtainChunks(
                nValidators: body.nValidators, availableData: body.availableData)
            return .json(
                ErasureRootResponse(
                    erasureRoot: ChunkTree(chunks: chunks).root, chunkCount: chunks.count,
                    chunkLength: chunks.first?.count ?? 0))
        }
    }
}
