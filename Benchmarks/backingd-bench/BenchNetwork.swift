import Backing
import Crypto
import Primitives

/// The benchmarks' network: 100 paras with groups of 5 validators (keys from fixed seeds), one scheduled
/// core per para, and a full round of statements for a relay parent: every validator seconds its own
/// candidate and votes Valid on its four group mates' (2,500 statements).
enum BenchNetwork {
    static let paras = 100
    static let groupSize = 5

    static let keys: [Sr25519Keypair] = (0..<(paras * groupSize)).map { index in
        // Safe because: a 32-byte seed always expands.
        try! Sr25519Keypair(miniSecret: Blake2b.hash256(Array("bench validator \(index)".utf8)).bytes)
    }

    static func leaf(_ hash: Hash) -> Leaf {
        Leaf(
            hash: hash, number: 1, sessionIndex: 1, validators: keys.map(\.publicKey),
            validatorGroups: (0..<paras).map { g in (0..<groupSize).map { ValidatorIndex(UInt32(g * groupSize + $0)) }
            },
            groupRotationInfo: GroupRotationInfo(sessionStartBlock: 0, groupRotationFrequency: 0, now: 1),
            availabilityCores: (0..<paras).map { .scheduled(ScheduledCore(paraId: ParaId(UInt32(1000 + $0)))) })
    }

    /// The Seconded statements, then the Valid ones (a Valid for a candidate not yet seconded is dropped).
    static func statements(_ relayParent: Hash) -> (seconded: [SignedFullStatement], valid: [SignedFullStatement]) {
        let context = SigningContext(sessionIndex: 1, parentHash: relayParent)
        var seconded: [SignedFullStatement] = []
        var valid: [SignedFullStatement] = []
        for p in 0..<paras {
            let members = (0..<groupSize).map { p * groupSize + $0 }
            let candidates = members.map { member in
                CommittedCandidateReceipt(
                    descriptor: CandidateDescriptor(
                        paraId: ParaId(UInt32(1000 + p)), relayParent: relayParent,
                        povHash: Blake2b.hash256([UInt8(member & 0xff)])),
                    commitments: CandidateCommitments(headData: HeadData(bytes: Array("head \(member)".utf8))))
            }
            for (i, member) in members.enumerated() {
                let index = ValidatorIndex(UInt32(member))
                seconded.append(
                    .sign(.seconded(candidates[i]), validatorIndex: index, context: context, keypair: keys[member]))
                for (j, other) in candidates.enumerated() where j != i {
                    valid.append(
                        .sign(.valid(other.hash), validatorIndex: index, context: context, keypair: keys[member]))
                }
            }
        }
        return (seconded, valid)
    }
}
