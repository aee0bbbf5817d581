import Foundation
import Primitives

/// `backingd-bench export DIR`: writes the benchmark network's leaf (`leaf.json`) and one
/// `POST /v1/statements` body per line (`statements.txt`, Seconded first), so that an external load
/// generator (wrk in `Benchmarks/service-bench.sh`) can drive a separate `backingd` process.
enum ExportStatements {
    static func run(directory: String) throws {
        let relayParent = H256(repeating: 0x77)
        let url = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try JSONOutput.encode(BenchNetwork.leaf(relayParent)).write(to: url.appendingPathComponent("leaf.json"))
        let (seconded, valid) = BenchNetwork.statements(relayParent)
        var lines = Data()
        for statement in seconded + valid {
            lines.append(ServiceBenchmarks.body(relayParent: relayParent, statement: statement).data)
            lines.append(0x0a)
        }
        try lines.write(to: url.appendingPathComponent("statements.txt"))
        print("exported \(seconded.count + valid.count) statements for relay parent \(relayParent) to \(directory)")
    }
}

extension Array where Element == UInt8 {
    fileprivate var data: Data { Data(self) }
}
