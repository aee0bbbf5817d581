#!/usr/bin/env bash
# README's walk-through, run as written: the block between `<!-- walkthrough:begin -->` and
# `<!-- walkthrough:end -->` is read from README.md (never copied here, so it cannot drift) and run with
# `bash -euo pipefail` from the checkout, against a fresh `backingd serve --dev` node. Any command that
# fails fails the script.
#
# Usage: scripts/walkthrough.sh   (env: SWIFT, CONFIG=debug|release (default debug, what `make test`
#        built), WALKTHROUGH_PORT)
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
export CONFIG=${CONFIG:-debug}
PORT=${WALKTHROUGH_PORT:-8190}

$SWIFT build -c "$CONFIG" --product backingd >/dev/null
BIN="$($SWIFT build -c "$CONFIG" --show-bin-path)/backingd"

WORK=$(mktemp -d)
NODE_PID=""
cleanup() {
  if [ -n "$NODE_PID" ]; then kill "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" serve --dev --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" >"$WORK/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz" || true)" = 200 ] && break
  kill -0 "$NODE_PID" 2>/dev/null || { cat "$WORK/node.log"; echo "walkthrough: the node died"; exit 1; }
  sleep 0.2
done

# The fenced block between the markers, without its fence lines.
awk '/<!-- walkthrough:begin -->/ { inside = 1; next } /<!-- walkthrough:end -->/ { inside = 0 } inside' README.md \
  | sed -e '/^```/d' >"$WORK/walkthrough.sh"
[ -s "$WORK/walkthrough.sh" ] || { echo "walkthrough: no block between the markers in README.md"; exit 1; }

if B="http://127.0.0.1:$PORT" bash -euo pipefail "$WORK/walkthrough.sh" >"$WORK/out.log" 2>&1; then
  [ -n "${WALKTHROUGH_VERBOSE:-}" ] && cat "$WORK/out.log"
  echo "walkthrough: ok — README's $(grep -cv '^\s*\(#\|$\)' "$WORK/walkthrough.sh") commands ran against a fresh node"
else
  status=$?
  cat "$WORK/out.log"; echo "--- node log"; tail -20 "$WORK/node.log"
  echo "walkthrough: README's walk-through failed (exit $status)"
  exit "$status"
fi
