#!/usr/bin/env bash
# The dashboard in headless Chromium against a live devnet: it must load with no console message
# (errors, failed requests, uncaught exceptions), show a backed candidate, and have had live updates
# through its event stream (GET /v1/events): a backed candidate's event in its live feed, which only the
# stream puts there. Writes dashboard.png.
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
CHROME_PID=""
: >"$WORK/devnet.log"
cleanup() {
  if [ -n "$CHROME_PID" ]; then kill "$CHROME_PID" 2>/dev/null || true; wait "$CHROME_PID" 2>/dev/null || true; fi
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

# The page keeps its event stream open, so Chromium's virtual-time flags (--virtual-time-budget, --timeout)
# would never let it finish, or stop it before an event came: scripts/dashboard-cdp.py drives Chromium over
# the DevTools protocol in real time until the page shows what is checked below (at most 60 s), then writes
# the DOM, the screenshot and every console message (console calls, exceptions, failed requests) as
# "CONSOLE…" lines; Chromium's own log (--enable-logging=stderr) is searched for them too.
URL="http://127.0.0.1:$PORT/"
READY='Number(document.body.dataset.streamEvents || 0) > 0
  && document.querySelector("[data-stream-event$=\".backed\"][data-stream-candidate]") !== null
  && document.querySelector("[data-backed-candidate]") !== null
  && document.querySelector(".node.self") !== null'
case " $EXTRA " in *" --v2 "*|*" --async-backing "*)
  READY="$READY"' && document.body.textContent.includes("· core 1")' ;;
esac
case " $EXTRA " in *" --async-backing "*)
  READY="$READY"' && document.querySelectorAll("[data-chain-core]").length >= 2
    && document.querySelector(".block.pending") !== null' ;;
esac
timeout 120 chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run \
  --user-data-dir="$WORK/profile" --enable-logging=stderr --v=0 --remote-debugging-port=0 about:blank \
  2>"$WORK/chrome.log" &
CHROME_PID=$!
for _ in $(seq 1 120); do grep -q 'DevTools listening on ws://' "$WORK/chrome.log" && break; sleep 0.25; done
WS=$(grep -o 'ws://[^ ]*' "$WORK/chrome.log" | head -1)
[ -n "$WS" ] || { cat "$WORK/chrome.log"; echo "dashboard-check: Chromium did not start"; exit 1; }
python3 scripts/dashboard-cdp.py "$WS" "$URL" "$WORK/dom.html" "$PNG" "$WORK/console.log" "$READY" 60 1400 1700 \
  || { cat "$WORK/chrome.log"; echo "dashboard-check: driving Chromium over the DevTools protocol failed"; exit 1; }
kill "$CHROME_PID" 2>/dev/null || true
wait "$CHROME_PID" 2>/dev/null || true
CHROME_PID=""
cat "$WORK/console.log" >>"$WORK/chrome.log"

status=0
if grep -q 'CONSOLE' "$WORK/chrome.log"; then
  echo "dashboard-check: console messages:"; grep 'CONSOLE' "$WORK/chrome.log"; status=1
fi
backed=$(grep -o 'data-backed-candidate="0x[0-9a-f]\{64\}"' "$WORK/dom.html" | wc -l)
if [ "$backed" -eq 0 ]; then echo "dashboard-check: no backed candidate on the page"; status=1; fi
grep -q 'class="node self' "$WORK/dom.html" || { echo "dashboard-check: the network view is missing"; status=1; }
# Live updates through the event stream: the page counts the events it got on <body data-stream-events>,
# and lists them in its live feed; a candidate backed while the page was open must be among them.
streamed=$(grep -o 'data-stream-events="[0-9]*"' "$WORK/dom.html" | grep -o '[0-9]\+' || echo 0)
if [ "${streamed:-0}" -eq 0 ]; then echo "dashboard-check: no event came through the event stream"; status=1; fi
streamed_backed=$(grep -o 'data-stream-event="\(provisioner\|statement\)\.backed"[^>]*data-stream-candidate="0x[0-9a-f]\{64\}"' "$WORK/dom.html" | wc -l)
if [ "$streamed_backed" -eq 0 ]; then echo "dashboard-check: no backed candidate came through the event stream"; status=1; fi
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
  echo "dashboard-check: ok — no console messages, $backed backed candidates shown, $streamed events streamed ($streamed_backed backed), screenshot $PNG"
fi
exit "$status"
