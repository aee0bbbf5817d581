#!/usr/bin/env bash
# The service's request path under an external load generator (wrk), on loopback: a separate release
# `backingd serve` (observer, web-hooks for provisioner.backed to a bare sink) takes one signed statement
# per request, cycling through the 2,500 statements of the benchmark network; the baseline, measured in
# the same run with the same wrk settings, is a bare libmicrohttpd handler (backingd-http-bench bare).
# Usage: Benchmarks/service-bench.sh [duration-seconds=5] [connections=32]
# With PERF_OUT=FILE, the measured pass also runs `perf record` (call graphs) on backingd into FILE.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-5}"
CONNECTIONS="${2:-32}"
SCRATCH="${SCRATCH:-.build}"
if ! command -v wrk >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
for product in backingd backingd-bench backingd-http-bench; do
    swift build -c release --scratch-path "$SCRATCH" --product "$product" >&2
done
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)"

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

"$BIN/backingd-bench" export "$WORK" >&2

# start_bare NAME: starts a bare server in this shell (so that the cleanup knows its pid) and waits for its port.
start_bare() {
    "$BIN/backingd-http-bench" bare 0 4 > "$WORK/$1.out" &
    PIDS+=($!)
    for _ in $(seq 1 100); do grep -q '^listening' "$WORK/$1.out" && break; sleep 0.05; done
}
start_bare sink
start_bare bare
SINK_PORT="$(awk '/^listening/ {print $2}' "$WORK/sink.out")"
BARE_PORT="$(awk '/^listening/ {print $2}' "$WORK/bare.out")"

"$BIN/backingd" serve --listen 127.0.0.1:0 --data-dir "$WORK/node" \
    --webhook "provisioner.backed=http://127.0.0.1:$SINK_PORT/echo" > "$WORK/node.out" 2> "$WORK/node.log" &
PIDS+=($!)
NODE_PID=$!
for _ in $(seq 1 200); do NODE="$(grep -o 'http://[0-9.:]*' "$WORK/node.out" || true)"; [ -n "$NODE" ] && break; sleep 0.05; done
curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/leaf.json" "$NODE/v1/leaves" > /dev/null

cat > "$WORK/statements.lua" <<LUA
local bodies = {}
for line in io.lines("$WORK/statements.txt") do bodies[#bodies + 1] = line end
local counter = 0
request = function()
    counter = counter + 1
    local body = bodies[((counter - 1) % #bodies) + 1]
    return wrk.format("POST", "/v1/statements", {["Content-Type"] = "application/json"}, body)
end
LUA
cat > "$WORK/echo.lua" <<'LUA'
wrk.method = "POST"
wrk.body   = '{"hello":"world","n":12345}'
wrk.headers["Content-Type"] = "application/json"
LUA

# The first pass imports each statement once (Seconded first, so every Valid finds its candidate).
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/echo.lua" "http://127.0.0.1:$BARE_PORT/echo" > "$WORK/bare.wrk"
wrk -t1 -c1 -d1s -s "$WORK/statements.lua" "$NODE" > /dev/null
if [ -n "${PERF_OUT:-}" ]; then
    perf record -e cpu-clock -F 999 --call-graph dwarf,16384 -p "$NODE_PID" -o "$PERF_OUT" -- sleep "$DURATION" \
        > /dev/null 2>&1 &
    PERF_PID=$!
fi
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/statements.lua" "$NODE" > "$WORK/node.wrk"
if [ -n "${PERF_OUT:-}" ]; then wait "$PERF_PID" || true; fi

rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }
errors() { grep -h "Non-2xx\|Socket errors" "$1" || true; }
echo "loopback, wrk -t2 -c$CONNECTIONS -d${DURATION}s, $(nproc) cores"
printf '%-52s %10s %10s\n' "" "req/s" "p99"
printf '%-52s %10.0f %10s\n' "bare libmicrohttpd handler (baseline)" "$(rps "$WORK/bare.wrk")" "$(p99 "$WORK/bare.wrk")"
printf '%-52s %10.0f %10s\n' "backingd: one signed statement per request" "$(rps "$WORK/node.wrk")" "$(p99 "$WORK/node.wrk")"
errors "$WORK/node.wrk"
awk -v a="$(rps "$WORK/bare.wrk")" -v b="$(rps "$WORK/node.wrk")" 'BEGIN { printf "ratio: %.2f (target ≥ 0.8)\n", b / a }'
