#!/usr/bin/env bash
# HTTP throughput on loopback: a bare libmicrohttpd handler that answers inside the C callback (the
# baseline) against the same echo through HTTPServer's full path (suspend/resume, Swift task, Router), and
# through a Router route added with `inline: true` (answered on libmicrohttpd's thread when it does not suspend).
# Both serve POST /echo with a 27-byte JSON body → {"len":27}; wrk drives each over keep-alive connections.
# Usage: Benchmarks/http-bench.sh [duration-seconds=5] [connections=32] [server-threads=4]
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-5}"
CONNECTIONS="${2:-32}"
THREADS="${3:-4}"
SCRATCH="${SCRATCH:-.build-http}"

if ! command -v wrk >/dev/null; then
    echo "installing wrk…" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

swift build -c release --scratch-path "$SCRATCH" --product backingd-http-bench >&2
BIN="$SCRATCH/release/backingd-http-bench"

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body   = '{"hello":"world","n":12345}'
wrk.headers["Content-Type"] = "application/json"
LUA

# run MODE → writes "REQ_PER_SEC P99_MS" to $WORK/MODE.result (runs in this shell, so the trap can stop the server)
run() {
    local mode="$1"
    "$BIN" "$mode" 0 "$THREADS" > "$WORK/$mode.out" &
    SERVER_PID=$!
    local port=""
    for _ in $(seq 1 100); do
        port="$(awk '/^listening/ {print $2}' "$WORK/$mode.out")"
        [ -n "$port" ] && break
        sleep 0.05  # waiting for a child process to print its port; not test synchronisation
    done
    [ -n "$port" ] || { echo "server $mode did not start" >&2; exit 1; }
    curl -sf -X POST -H 'Content-Type: application/json' -d '{"hello":"world","n":12345}' "http://127.0.0.1:$port/echo" >/dev/null
    wrk -t1 -c1 -d1s -s "$WORK/post.lua" "http://127.0.0.1:$port/echo" >/dev/null  # warm-up
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$port/echo" \
        > "$WORK/$mode.wrk"
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
    if grep -q "Non-2xx\|Socket errors" "$WORK/$mode.wrk"; then grep "Non-2xx\|Socket errors" "$WORK/$mode.wrk" >&2; fi
    local rps p99
    rps="$(awk '/^Requests\/sec:/ {print $2}' "$WORK/$mode.wrk")"
    p99="$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' "$WORK/$mode.wrk")"
    echo "$rps $p99" > "$WORK/$mode.result"
}

run bare
run swift
run swift-inline
read -r BARE_RPS BARE_P99 < "$WORK/bare.result"
read -r SWIFT_RPS SWIFT_P99 < "$WORK/swift.result"
read -r INLINE_RPS INLINE_P99 < "$WORK/swift-inline.result"

echo "loopback, POST /echo (27-byte JSON), wrk -t2 -c$CONNECTIONS -d${DURATION}s, server threads $THREADS, $(nproc) cores"
printf '%-40s %12s %10s\n' "server" "req/s" "p99 (ms)"
printf '%-40s %12.0f %10.2f\n' "(a) bare libmicrohttpd callback" "$BARE_RPS" "$BARE_P99"
printf '%-40s %12.0f %10.2f\n' "(b) HTTPServer (suspend/resume+Router)" "$SWIFT_RPS" "$SWIFT_P99"
printf '%-40s %12.0f %10.2f\n' "(c) HTTPServer, inline route" "$INLINE_RPS" "$INLINE_P99"
awk -v a="$BARE_RPS" -v b="$SWIFT_RPS" -v c="$INLINE_RPS" 'BEGIN { printf "ratio (b)/(a): %.2f  (c)/(a): %.2f\n", b / a, c / a }'
