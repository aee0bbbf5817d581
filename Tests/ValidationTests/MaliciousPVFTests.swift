import Backing
import Primitives
import Testing
import Validation
import WAT

/// Hostile validation code gets a clean invalid in bounded time, and the validator keeps working.
@Suite(.serialized) struct MaliciousPVFTests {
    let executor = PVFExecutor()

    /// Validates a candidate for `code`, then checks that a valid adder candidate still validates.
    func outcome(of code: ValidationCode, timeout: Duration = .seconds(2)) async -> (ValidationOutcome, Duration) {
        let validator = Fixture.validator([code], executor: executor)
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await validator.validate(Fixture.request(forCode: code, timeout: timeout))
        let elapsed = clock.now - start
        let collation = Fixture.adderCollation()
        let after = await validator.validate(Fixture.request(collation))
        #expect(after == .valid(collation.commitments, collation.persistedValidationData), "the adder after \(outcome)")
        return (outcome, elapsed)
    }

    func expectExecutionError(_ outcome: ValidationOutcome, containing text: String) {
        guard case .invalid(.executionError(let message)) = outcome else {
            Issue.record("expected an execution error, got \(outcome)")
            return
        }
        #expect(message.contains(text), "\(message)")
    }

    @Test func anEndlessLoopTimesOutWithinTheLimit() async throws {
        let (outcome, elapsed) = await outcome(
            of: try Fixture.module("(loop (br 0)) (i64.const 0)"), timeout: .milliseconds(200))
        #expect(outcome == .invalid(.timeout))
        // Bounded, not fast: an endless loop ends only by the limit, which `.timeout` proves. The awaiting
        // test needs one of Swift concurrency's two threads on a 2-core machine, and the decoder fuzz tests
        // hold both for ~11 s each in a debug build (10.4–11.6 s seen here), hence the generous bound.
        #expect(elapsed < .seconds(30), "took \(elapsed)")
    }

    @Test func growingMemoryWithoutEndHitsTheLimitAndTraps() async throws {
        let bomb = try Fixture.module(
            "(loop (br_if 0 (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) unreachable")
        // Growing to the cap takes a while in a debug build under the parallel suites: this test is about the
        // cap, so the time limit stays out of its way.
        expectExecutionError(await outcome(of: bomb, timeout: .seconds(30)).0, containing: "unreachable")
    }

    @Test func aHugeInitialMemoryIsRefused() async throws {
        let bomb = ValidationCode(
            bytes: try wat2wasm(
                """
                (module (memory (export "memory") 60000) (global (export "__heap_base") i32 (i32.const 1024))
                  (func (export "validate_block") (param i32 i32) (result i64) (i64.const 0)))
                """))
        expectExecutionError(await outcome(of: bomb).0, containing: "instantiation failed")
    }

    @Test func anUnknownImportIsABadImport() async throws {
        let code = try Fixture.module(
            "(i64.const 0)", extra: #"(import "env" "ext_storage_get_version_1" (func (param i64) (result i64)))"#)
        expectExecutionError(await outcome(of: code).0, containing: "bad import")
    }

    @Test func aMissingOrMistypedValidateBlockIsInvalid() async throws {
        let missing = ValidationCode(
            bytes: try wat2wasm(
                """
                (module (memory (export "memory") 1) (global (export "__heap_base") i32 (i32.const 1024))
                  (func (export "validate") (param i32 i32) (result i64) (i64.const 0)))
                """))
        expectExecutionError(await outcome(of: missing).0, containing: "no validate_block")
        let mistyped = ValidationCode(
            bytes: try wat2wasm(
                """
                (module (memory (export "memory") 1) (global (export "__heap_base") i32 (i32.const 1024))
                  (func (export "validate_block") (param i32) (result i32) (i32.const 0)))
                """))
        expectExecutionError(await outcome(of: mistyped).0, containing: "validate_block has type")
    }

    @Test func aTrapIsAnExecutionError() async throws {
        expectExecutionError(await outcome(of: try Fixture.module("unreachable")).0, containing: "unreachable")
    }

    @Test func aResultOutsideTheMemoryIsABadReturn() async throws {
        // Address 0xffff0000, length 16: far past the 1-page memory (grown by the host's heap reserve).
        let code = try Fixture.module("(i64.const 0x00000010ffff0000)")
        #expect(await outcome(of: code).0 == .invalid(.badReturn))
    }

    @Test func anUndecodableResultIsABadReturn() async throws {
        // Two zero bytes: an empty head and `None`, then the message vectors are missing.
        let code = try Fixture.module("(i64.const 0x0000000200000000)")
        #expect(await outcome(of: code).0 == .invalid(.badReturn))
    }

    @Test func theHostFunctionsAndAnImportedMemoryWork() async throws {
        // A Substrate-shaped PVF: imports its memory, logs, allocates 12 zero bytes and returns them as an
        // empty-head ValidationResult, whose head hash then does not match the descriptor's.
        let code = ValidationCode(
            bytes: try wat2wasm(
                """
                (module
                  (import "env" "memory" (memory 1))
                  (import "env" "ext_logging_max_level_version_1" (func $level (result i32)))
                  (import "env" "ext_logging_log_version_1" (func $log (param i32 i64 i64)))
                  (import "env" "ext_allocator_malloc_version_1" (func $malloc (param i32) (result i32)))
                  (import "env" "ext_allocator_free_version_1" (func $free (param i32)))
                  (global (export "__heap_base") i32 (i32.const 1024))
                  (data (i32.const 16) "adder")
                  (func (export "validate_block") (param i32 i32) (result i64) (local $result i32)
                    (call $log (call $level) (i64.const 0x0000000500000010) (i64.const 0x0000000500000010))
                    (call $free (call $malloc (i32.const 100)))
                    (local.set $result (call $malloc (i32.const 12)))
                    (i64.or (i64.extend_i32_u (local.get $result)) (i64.const 0x0000000c00000000))))
                """))
        #expect(await outcome(of: code).0 == .invalid(.paraHeadHashMismatch))
    }

    /// Each execution's WasmKit store (its linear memory with it) is freed when the execution ends, however
    /// it ends. The host functions used to hold the host, which holds the store's memory: every execution's
    /// store stayed allocated (the fuzzer's LeakSanitizer report: 132 MB over 62,574 executions).
    @Test func everyExecutionFreesItsStoreWhenItEnds() async throws {
        _ = await outcome(of: AdderParachain.validationCode)
        _ = await outcome(of: try Fixture.module("unreachable (i64.const 0)"))
        _ = await outcome(of: try Fixture.module("(i64.const 0x0000000200000000)"))
        _ = await outcome(of: try Fixture.module("(loop (br 0)) (i64.const 0)"), timeout: .milliseconds(200))
        // The endless loop's thread stops when its fuel runs out, which may come after its `.timeout`.
        let deadline = ContinuousClock.now + .seconds(60)
        while executor.allocatedStores > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(executor.allocatedStores == 0)
    }

    @Test func garbageBytesAreNotAModule() async {
        expectExecutionError(await outcome(of: ValidationCode(bytes: [0, 1, 2, 3])).0, containing: "invalid wasm")
    }
}
