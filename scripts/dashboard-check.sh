#!/usr/bin/env bash
# The dashboard in headless Chromium against a live devnet: it must load with no console message
# (errors, failed requests, uncaught exceptions) and show a backed candidate. Writes dashboard.png.
#
# Usage: scripts/dashboard-check.sh   (env: SWIFT, SWIFT_BUILD_FLAGS, DASHBOARD_PORT, DASHBOARD_PNG,
#        DASHBOARD_DEVNET_ARGS: more devnet flags; with --v2 or --async-backing the page must also show core
#        indices, with --async-backing each para's chain: pending candidates and one backed per core, with
#        --processes the network view of a node process)
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
SWIFT_BUILD_FLAGS=${SWIFT_BUILD_FLAGS:-}
PORT=${DASHBOARD_PORT:-9180}
PNG=${DASHBOARD_PNG:-dashboard.png}
EXTRA=${DASHBOARD_DEVNET_ARGS:-}
case "$PNG" in /*) ;; *) PNG="$PWD/$PNG" ;; esac
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

if ! command -v chromium >/dev/null; then
  echo "dashboard-check: installing chromium (Debian package)"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# shellcheck disable=SC2086
$SWIFT build $SWIFT_BUILD_FLAGS --product backingd >/dev/null
BIN="$($SWIFT build $SWIFT_BUILD_FLAGS --show-bin-path)/backingd"

WORK=$(mktemp -d)
DEVNET_PID=""
: >"$WORK/devnet.log"
cleanup() {
  if [ -n "$DEVNET_PID" ]; then kill "$DEVNET_PID" 2>/dev/null || true; wait "$DEVNET_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# A short-lived devnet (it stops by itself after 120 blocks should this script be killed).
"$BIN" devnet --validators 6 --paras 2 --base-port "$PORT" --block-time 1 --blocks 120 \
  --data-dir "$WORK/devnet" --public-dir Public $EXTRA >"$WORK/devnet.log" 2>&1 &
DEVNET_PID=$!
for _ in $(seq 1 120); do
  grep -q '^block #3 ' "$WORK/devnet.log" && break
  kill -0 "$DEVNET_PID" 2>/dev/null || { cat "$WORK/devnet.log"; echo "dashboard-check: devnet died"; exit 1; }
  sleep 0.5
done
grep -q '^block #3 ' "$WORK/devnet.log" || { cat "$WORK/devnet.log"; echo "dashboard-check: no blocks"; exit 1; }

# --virtual-time-budget lets the page's first polls finish before the DOM is dumped; console messages
# go to standard error as "INFO:CONSOLE…" lines with --enable-logging=stderr.
chrome() {
  timeout 90 chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run \
    --user-data-dir="$WORK/profile" --enable-logging=stderr --v=0 --virtual-time-budget=4000 "$@"
}
URL="http://127.0.0.1:$PORT/"
chrome --dump-dom "$URL" >"$WORK/dom.html" 2>"$WORK/chrome.log" || true
chrome --window-size=1400,1700 --screenshot="$PNG" "$URL" >/dev/null 2>>"$WORK/chrome.log" || true

status=0
if grep -q 'CONSOLE' "$WORK/chrome.log"; then
  echo "dashboard-check: console messages:"; grep 'CONSOLE' "$WORK/chrome.log"; status=1
fi
backed=$(grep -o 'data-backed-candidate="0x[0-9a-f]\{64\}"' "$WORK/dom.html" | wc -l)
if [ "$backed" -eq 0 ]; then echo "dashboard-check: no backed candidate on the page"; status=1; fi
grep -q 'class="node self' "$WORK/dom.html" || { echo "dashboard-check: the network view is missing"; status=1; }
case " $EXTRA " in *" --v2 "*|*" --async-backing "*)
  grep -q 'data-core="0"' "$WORK/dom.html" || { echo "dashboard-check: no core shown for a claim-queue leaf"; status=1; }
  grep -q '· core 1' "$WORK/dom.html" || { echo "dashboard-check: no block backed on core 1"; status=1; } ;;
esac
case " $EXTRA " in *" --async-backing "*)
  for para in 100 101; do
    grep -q "data-chain-para=\"$para\"" "$WORK/dom.html" || { echo "dashboard-check: no chain shown for para $para"; status=1; }
  done
  # The elastic para 100 has a candidate backed on each of its cores 0 and 1 in the newest block.
  for core in 0 1; do
    grep -q "data-chain-core=\"$core\"" "$WORK/dom.html" || { echo "dashboard-check: no chain candidate on core $core"; status=1; }
  done
  grep -q 'class="block pending' "$WORK/dom.html" || { echo "dashboard-check: no candidate pending availability shown"; status=1; } ;;
esac
case " $EXTRA " in *" --processes "*)
  # Node processes keep the description the devnet sends them: the network view says so.
  grep -q 'one process per node' "$WORK/dom.html" || { echo "dashboard-check: the network view does not show node processes"; status=1; } ;;
esac
[ -s "$PNG" ] || { echo "dashboard-check: no screenshot"; status=1; }
if [ "$status" = 0 ]; then
  echo "dashboard-check: ok — no console messages, $backed backed candidates shown, screenshot $PNG"
fi
exit "$status"
