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

# shellcheck source=scripts/dev-node.sh
. scripts/dev-node.sh
start_dev_node walkthrough "$PORT"

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
