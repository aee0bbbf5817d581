#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer): builds `backingd-fuzz` with the fuzzer and address sanitizers in its
# own scratch folder, then runs each target for FUZZ_SECONDS, starting from its committed seed corpus
# (Tests/FuzzRegressionTests/Inputs/<target>/, which `make test` replays) plus what earlier runs found
# (.fuzz/corpus/<target>/). A crashing input is written to .fuzz/artifacts/; fix the bug, then commit the
# input as Inputs/<target>/regression-<what>. Prints one line per target; exits 1 if any target crashed.
#
#   make fuzz                                    # every target, 60 s each
#   make fuzz FUZZ_SECONDS=300 FUZZ_TARGETS="scale erasure"
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-scale strict-json request-bodies text-encodings erasure chunk-proof statement-table pvf}
SCRATCH=.build-fuzz

# `--sanitize fuzzer` makes SwiftPM link libFuzzer's `main` (instead of aliasing `main` to the module's entry
# point); `-Xswiftc -sanitize=fuzzer,address` comes after it on every swiftc command line and is what counts:
# swiftc keeps only the last `-sanitize=`, so `--sanitize fuzzer --sanitize address` built the Swift modules
# with ASan but without coverage instrumentation (libFuzzer saw 234 counters, all in C shims).

mkdir -p .fuzz/artifacts .fuzz/logs
if ! BACKINGD_FUZZ=1 "$SWIFT" build --scratch-path "$SCRATCH" -c release --sanitize fuzzer \
    -Xswiftc -sanitize=fuzzer,address --product backingd-fuzz >.fuzz/logs/build.log 2>&1; then
    grep -v 'ld.gold: warning: Cannot export local symbol' .fuzz/logs/build.log >&2
    exit 1
fi
BIN="$(BACKINGD_FUZZ=1 "$SWIFT" build --scratch-path "$SCRATCH" -c release --show-bin-path)/backingd-fuzz"

failed=0
for target in $FUZZ_TARGETS; do
    mkdir -p ".fuzz/corpus/$target"
    log=".fuzz/logs/$target.log"
    # Leak checks are off: the Swift runtime's lazily built caches look like leaks to LeakSanitizer. The Swift
    # backtracer is off so that libFuzzer's own crash handler writes the crashing input.
    status=0
    SWIFT_BACKTRACE=enable=no "$BIN" --target="$target" ".fuzz/corpus/$target" "Tests/FuzzRegressionTests/Inputs/$target" \
        -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
        -print_final_stats=1 -artifact_prefix=".fuzz/artifacts/$target-" >"$log" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    if [ "$status" -eq 0 ]; then
        echo "fuzz $target: ${runs} executions in ${FUZZ_SECONDS} s, coverage ${coverage} edges, no crash"
    else
        failed=1
        echo "fuzz $target: FAILED (exit $status; a crash, or leaks reported at exit) after ${runs} executions; see $log and .fuzz/artifacts/$target-*"
    fi
done
exit $failed
