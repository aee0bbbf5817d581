import Foundation
import FuzzTargets
import Testing

/// Replays every committed fuzz input through its target's check: the seed corpora, and every input a
/// fuzzer once crashed on (`regression-*`, kept after the fix). `Inputs/<target>/` is also the seed
/// corpus `make fuzz` starts each target from.
struct FuzzRegressionTests {
    static let inputsURL: URL? = Bundle.module.url(forResource: "Inputs", withExtension: nil)

    /// Every committed input of `target`, by file name.
    static func inputs(of target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let folder = try #require(inputsURL).appendingPathComponent(target.name)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.map { ($0, Array(try Data(contentsOf: folder.appendingPathComponent($0)))) }
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func everyCommittedInputOfTheTargetPassesItsCheck(_ name: String) async throws {
        let target = try #require(FuzzTarget.named(name))
        let inputs = try Self.inputs(of: target).map(\.bytes)
        #expect(inputs.count >= 3, "a seed corpus of at least three inputs")
        // A broken invariant traps the test process with the invariant's message; `backingd-fuzz
        // --target=NAME Inputs/NAME/*` names the input. The checks run on a thread of their own, as under
        // libFuzzer: a check may block its thread on async work, which must never hold one of the few
        // threads every test's tasks share.
        let check = target.check
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                for input in inputs { check(input) }
                done.resume()
            }.start()
        }
    }

    @Test func theCommittedSeedsAreTheOnesFuzzSeedsBuilds() throws {
        let seeds = try FuzzSeeds.all()
        if ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] == "1" {
            try FuzzSeeds.write(seeds)
        }
        for (target, files) in seeds {
            let committed = Dictionary(
                uniqueKeysWithValues: try Self.inputs(of: try #require(FuzzTarget.named(target))).map {
                    ($0.name, $0.bytes)
                })
            for (name, bytes) in files {
                let same = committed[name] == bytes
                #expect(same, "\(target)/\(name) is missing or differs from its generator (FUZZ_WRITE_SEEDS=1)")
            }
        }
    }

    @Test func everyTargetNameIsUniqueAndHasAnInputsFolder() throws {
        let names = FuzzTarget.all.map(\.name)
        #expect(Set(names).count == names.count)
        let root = try #require(Self.inputsURL)
        let folders = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        #expect(folders == names.sorted())
    }
}
