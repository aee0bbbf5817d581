import Backing
import Foundation
import Primitives

/// The API's request-body decoding, for the fuzz targets (`FuzzTargets`), which cannot see the DTOs.
public enum RequestBodyChecks {
    /// Decodes `body` as every JSON request body the API reads, as the routes do; decoding may fail but
    /// must not trap.
    /// - Returns: the invariants `body` breaks, empty when it breaks none: a `POST /v1/statements/batch`
    ///   body answers as the whole-body decoder answers it, and a `POST /v1/statements` body read in its
    ///   strict form is the value Foundation reads.
    public static func brokenInvariants(decoding body: [UInt8]) async -> [String] {
        var broken: [String] = []
        _ = try? JSONInput.decode(SecondRequest.self, from: body)
        _ = try? JSONInput.decode(BackedCandidatesRequest.self, from: body)
        _ = try? JSONInput.decode(ValidationCodeRequest.self, from: body)
        _ = try? JSONInput.decode(CandidateHashRequest.self, from: body)
        _ = try? JSONInput.decode(ErasureRootRequest.self, from: body)
        _ = try? JSONInput.decode(Leaf.self, from: body)

        if let strict = StrictJSONReader.read(body, { StatementRequest(strictJSON: &$0) }) {
            let reference = try? JSONInput.decode(StatementRequest.self, from: Data(body))
            if reference?.relayParent != strict.relayParent || reference?.statement != strict.statement {
                broken.append("a statement request read in its strict form differs from Foundation's reading")
            }
        }

        if let parallel = await StatementBatchDecoding.decodeInParallel(body) {
            let whole = Result { () throws(JSONInputError) in
                try JSONInput.decode(StatementBatchRequest.self, from: Data(body))
            }
            switch whole {
            case .success(let reference):
                if reference.relayParent != parallel.relayParent
                    || reference.statements.map(\.result) != parallel.statements.map(\.result)
                {
                    broken.append("a statement batch decoded in parts differs from the whole-body decoding")
                }
            case .failure(let error):
                broken.append("a statement batch decoded in parts fails as a whole body: \(error)")
            }
        }
        return broken
    }
}
