#!/usr/bin/env bash
# Runs a command with a time limit: `scripts/watchdog.sh MINUTES command...`.
#
# Why: a test that deadlocks (for example two tests each blocking one of the two threads of Swift's
# cooperative pool) would otherwise hang `make test` until CI's own limit, with nothing said about where.
# On expiry this prints every thread's stack of each process the command started (gdb, when installed),
# then kills them, and fails with 124 as timeout(1) does.
set -euo pipefail

minutes=$1
shift
"$@" &
pid=$!
deadline=$((SECONDS + minutes * 60))
while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
        echo "watchdog: '$*' still running after $minutes minutes; stacks of its processes follow" >&2
        descendants() {
            local child
            for child in $(pgrep -P "$1"); do
                echo "$child"
                descendants "$child"
            done
        }
        processes=$(descendants "$pid")
        for process in $pid $processes; do
            echo "== process $process: $(tr '\0' ' ' <"/proc/$process/cmdline" 2>/dev/null | cut -c1-200)" >&2
            if command -v gdb >/dev/null; then
                gdb -p "$process" -batch -ex "thread apply all bt 30" 2>/dev/null | grep -E '^(Thread|#)' >&2 || true
            fi
        done
        kill -KILL $pid $processes 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        exit 124
    fi
    sleep 5
done
wait "$pid"
