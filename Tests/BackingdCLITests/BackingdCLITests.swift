import Foundation
import Synchronization
import TestSupport
import Testing

/// Runs the built `backingd` binary, as a harness in another language would.
struct BackingdCLITests {
    /// The `backingd` executable next to the test bundle in the build folder.
    static var executable: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if url.pathExtension == "xctest" { url.deleteLastPathComponent() }
        return url.appendingPathComponent("backingd")
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
        }
    }

    /// A launched `backingd` and its pipes, handed to the thread that waits for it.
    final class Launched: @unchecked Sendable {
        // Safe because: built before the hand-over and then used by the waiting thread alone.
        let process = Process()
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
    }

    /// Runs `backingd` with `arguments` and waits for it to exit. It is launched from the caller, as the
    /// end-to-end tests launch theirs (one at a time: `launchSerially`); the waiting (pipe reads,
    /// `waitUntilExit`) blocks a thread of its own, never one of Swift concurrency's few: blocked there,
    /// it stalled every other suite's timers (a 200 ms PVF watchdog answered after 11 s on 2 cores).
    static func run(_ arguments: [String], stdin: String? = nil) async throws -> Result {
        let launched = Launched()
        launched.process.executableURL = executable
        launched.process.arguments = arguments
        launched.process.standardOutput = launched.out
        launched.process.standardError = launched.err
        launched.process.standardInput = launched.input
        try launchSerially(launched.process)
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: waitForExit(launched, stdin: stdin)) }
        }
    }

    private static func waitForExit(_ launched: Launched, stdin: String?) -> Result {
        if let stdin { launched.input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? launched.input.fileHandleForWriting.close()
        // Standard error is drained on another thread so that neither pipe can fill up and stall the child.
        let stderrData = Mutex(Data())
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let data = launched.err.fileHandleForReading.readDataToEndOfFile()
            stderrData.withLock { $0 = data }
            drained.signal()
        }
        let stdoutData = launched.out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        launched.process.waitUntilExit()
        return Result(
            status: launched.process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData.withLock { $0 }, as: UTF8.self))
    }

    @Test func keyInspectPrintsAlicesKeyAndAddresses() async throws {
        let result = try await Self.run(["key", "inspect", "//Alice"])
        #expect(result.status == 0)
        #expect(
            result.json?["publicKey"] as? String == "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        )
        #expect(result.json?["ss58"] as? String == "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
        #expect(result.json?["ss58Polkadot"] as? String == "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5")
        #expect(
            result.json?["secretSeed"] as? String
                == "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a")
    }

    @Test func keyInspectRejectsAnUnknownMnemonicWord() async throws {
        let result = try await Self.run([
            "key", "inspect", "bottom drive obey lake curtain smoke basket hold race lonely fit walkk",
        ])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
    }

    static let receipt = """
        {"descriptor": {"paraId": 1, "relayParent": "0x\(String(repeating: "05", count: 32))",
          "collator": "0x\(String(repeating: "00", count: 32))", "persistedValidationDataHash": "0x\(String(repeating: "00", count: 32))",
          "povHash": "0xcafaf4adaf3920beca6db486d8ee24759066fcc25bd7953e2a4bd4f71c36f9cd", "erasureRoot": "0x\(String(repeating: "00", count: 32))",
          "signature": "0x\(String(repeating: "00", count: 64))", "paraHead": "0x\(String(repeating: "00", count: 32))",
          "validationCodeHash": "0x\(String(repeating: "00", count: 32))"},
         "commitments": {"upwardMessages": [], "horizontalMessages": [], "newValidationCode": null, "headData": "0x040506",
          "processedDownwardMessages": 0, "hrmpWatermark": 0}}
        """

    @Test func candidateHashOfACommittedReceiptFromStdin() async throws {
        let result = try await Self.run(["candidate", "hash", "-"], stdin: Self.receipt)
        #expect(result.status == 0)
        #expect(
            result.json?["candidateHash"] as? String
                == "0x5ca19765ded5cf6d8d8278f439de0fbe57e6a97d94588b2c37643cb70bb9d9ec")
        #expect(
            result.json?["commitmentsHash"] as? String
                == "0x1c60d15e03474774fb41adf24a7f7185d72ca7401c79a35b0dcfc3b168565b78")
        #expect((result.json?["encoded"] as? String)?.hasSuffix("0c0405060000000000000000") == true)
    }

    /// `modern/receipts-v2.json`: a V2 receipt (v2 field set) answers its version, core, session and signals;
    /// an unknown version exits 1 naming the field.
    @Test func candidateHashOfAV2ReceiptAnswersItsVersionCoreSessionAndSignals() async throws {
        let file = try #require(
            try JSONSerialization.jsonObject(with: Fixture.data("modern/receipts-v2.json")) as? [String: Any])
        let vectors = try #require(file["vectors"] as? [[String: Any]])
        for name in ["v2-xcm-and-select-core", "unknown-version", "v1-descriptor-real-collator"] {
            let vector = try #require(vectors.first { $0["name"] as? String == name })
            let receipt = try JSONSerialization.data(withJSONObject: try #require(vector["committedCandidateReceipt"]))
            let result = try await Self.run(
                ["candidate", "hash", "-"], stdin: String(decoding: receipt, as: UTF8.self))
            switch name {
            case "unknown-version":
                #expect(result.status != 0)
                #expect(result.stderr.contains("descriptor.version: UnknownVersion"), "\(result.stderr)")
            default:
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.json?["candidateHash"] as? String == vector["candidateHash"] as? String)
                #expect(result.json?["descriptorVersion"] as? String == vector["descriptorVersion"] as? String)
                #expect(result.json?["coreIndex"] as? Int == vector["coreIndexField"] as? Int)
                #expect(result.json?["sessionIndex"] as? Int == vector["sessionIndexField"] as? Int)
                #expect(
                    result.json?["umpSignals"] as? NSDictionary == vector["umpSignals"] as? NSDictionary,
                    "\(result.stdout)")
            }
        }
    }

    /// The walk-through's helpers: a leaf in which //Alice backs para 100, and the adder's first block on it
    /// (README's walk-through runs them against a node; here their shapes).
    @Test func leafAndCandidateExamplesFitEachOther() async throws {
        let leaf = try await Self.run(["leaf", "example"])
        #expect(leaf.status == 0, "\(leaf.stderr)")
        let hash = try #require(leaf.json?["hash"] as? String)
        #expect((leaf.json?["validatorGroups"] as? [[Int]])?.first == [0, 2, 3])
        #expect((leaf.json?["paras"] as? [String: Any])?["100"] != nil)
        let candidate = try await Self.run(["candidate", "example"])
        #expect(candidate.status == 0, "\(candidate.stderr)")
        #expect(candidate.json?["relayParent"] as? String == hash)
        let descriptor = (candidate.json?["candidate"] as? [String: Any])?["descriptor"] as? [String: Any]
        #expect(descriptor?["paraId"] as? Int == 100)
        #expect(descriptor?["collator"] != nil)

        let modern = try await Self.run(["leaf", "example", "--v2"])
        #expect((modern.json?["claimQueue"] as? [String: [Int]]) == ["0": [100], "1": [101]])
        #expect(modern.json?["nodeFeatures"] as? String == "0x200a")
        let v2 = try await Self.run(["candidate", "example", "--v2"])
        let v2Descriptor = (v2.json?["candidate"] as? [String: Any])?["descriptor"] as? [String: Any]
        #expect(v2Descriptor?["coreIndex"] as? Int == 0)
        #expect(v2Descriptor?["sessionIndex"] as? Int == 1)
        #expect(v2Descriptor?["collator"] == nil)
    }

    /// `backingd --version`: the release and the git commit it was built from (as `git rev-parse` says).
    @Test func versionNamesTheReleaseAndTheGitCommit() async throws {
        let result = try await Self.run(["--version"])
        #expect(result.status == 0)
        let line = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let match = line.wholeMatch(of: /backingd (\d+\.\d+\.\d+) \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)/)
        #expect(match != nil, "\(line)")
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = [
            "git", "-C", URL(fileURLWithPath: #filePath).deletingLastPathComponent().path, "rev-parse", "--short=12",
            "HEAD",
        ]
        let pipe = Pipe()
        git.standardOutput = pipe
        git.standardError = FileHandle.nullDevice
        if (try? launchSerially(git)) != nil {
            git.waitUntilExit()
            let head = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if git.terminationStatus == 0, !head.isEmpty, let match {
                // Built from this checkout: the same commit (the binary may be a build behind if the tree moved on).
                #expect(String(match.2).hasPrefix(head) || line.contains("-dirty"), "\(line) vs HEAD \(head)")
            }
        }
    }

    @Test func candidateHashNamesTheBadField() async throws {
        let bad = Self.receipt.replacingOccurrences(
            of: "0xcafaf4adaf3920beca6db486d8ee24759066fcc25bd7953e2a4bd4f71c36f9cd", with: "0xcafaf4")
        let result = try await Self.run(["candidate", "hash", "-"], stdin: bad)
        #expect(result.status != 0)
        #expect(result.stderr.contains("descriptor.povHash: expected 32 bytes, got 3"))
    }

    @Test func statementSignProducesAStatementTheKeyVerifies() async throws {
        let parent = "0x" + String(repeating: "05", count: 32)
        let hash = "0x5ca19765ded5cf6d8d8278f439de0fbe57e6a97d94588b2c37643cb70bb9d9ec"
        let result = try await Self.run([
            "statement", "sign", "--suri", "//Charlie", "--session", "1", "--parent", parent, "--validator-index", "2",
            "--valid", hash,
        ])
        #expect(result.status == 0)
        #expect(result.json?["validatorIndex"] as? Int == 2)
        #expect((result.json?["payload"] as? [String: String])?["valid"] == hash)
        let signature = try #require(result.json?["signature"] as? String)
        #expect(signature.count == 130)

        let seconded = try await Self.run(
            [
                "statement", "sign", "--suri", "//Charlie", "--session", "1", "--parent", parent, "--validator-index",
                "2", "--seconded", "-",
            ],
            stdin: Self.receipt)
        #expect(seconded.status == 0)
        #expect((seconded.json?["payload"] as? [String: Any])?["seconded"] != nil)
    }

    @Test func statementSignNeedsExactlyOneStatementKind() async throws {
        let result = try await Self.run([
            "statement", "sign", "--suri", "//Charlie", "--session", "1", "--parent",
            "0x" + String(repeating: "05", count: 32), "--validator-index", "2",
        ])
        #expect(result.status != 0)
    }

    static let availableData = """
        {"pov": {"blockData": "0x010203"},
         "validationData": {"parentHead": "0x070809", "relayParentNumber": 0,
          "relayParentStorageRoot": "0x\(String(repeating: "00", count: 32))", "maxPovSize": 1024}}
        """

    @Test func candidateErasureRootOfTheBackingTestCandidate() async throws {
        let result = try await Self.run(
            ["candidate", "erasure-root", "--validators", "6", "-"], stdin: Self.availableData)
        #expect(result.status == 0)
        #expect(
            result.json?["erasureRoot"] as? String
                == "0x6d18dd3467a2038fd4ec45d0f543de44a5c907c93d6ed2a66bf616abcbc605cb")
        #expect(result.json?["chunkCount"] as? Int == 6)
        #expect(result.json?["chunkLength"] as? Int == 24)
        #expect(result.json?["chunks"] == nil)

        let withChunks = try await Self.run(
            ["candidate", "erasure-root", "--validators", "6", "--chunks", "-"], stdin: Self.availableData)
        let chunks = try #require(withChunks.json?["chunks"] as? [String])
        #expect(chunks.count == 6)
        #expect(chunks.first == "0x0c010c070000000000000000000000000000000000000004")
    }

    @Test func candidateErasureRootRefusesABadValidatorCountOrField() async throws {
        let one = try await Self.run(
            ["candidate", "erasure-root", "--validators", "1", "-"], stdin: Self.availableData)
        #expect(one.status == 64)
        #expect(one.stderr.contains("need at least 2 validators, got 1"))
        #expect(one.stdout.isEmpty)

        let bad = Self.availableData.replacingOccurrences(of: "\"0x070809\"", with: "\"0x0708z9\"")
        let field = try await Self.run(["candidate", "erasure-root", "--validators", "6", "-"], stdin: bad)
        #expect(field.status == 64)
        #expect(field.stderr.contains("validationData.parentHead"))
    }
}
