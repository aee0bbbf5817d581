# Sourced by scripts that need a fresh `backingd serve --dev` node (walkthrough.sh, api-fuzz.sh):
# `start_dev_node NAME PORT` builds backingd (SWIFT, CONFIG), starts it on 127.0.0.1:PORT with its data in a
# new temporary folder, waits until /readyz answers 200, and sets BIN (the binary), WORK (the folder, holding
# node.log) and NODE_PID. The node is stopped and WORK removed when the script exits.
start_dev_node() {
  local name=$1 port=$2
  $SWIFT build -c "$CONFIG" --product backingd >/dev/null
  BIN="$($SWIFT build -c "$CONFIG" --show-bin-path)/backingd"
  WORK=$(mktemp -d)
  NODE_PID=""
  trap stop_dev_node EXIT
  "$BIN" serve --dev --listen "127.0.0.1:$port" --data-dir "$WORK/data" >"$WORK/node.log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)" = 200 ] && return 0
    kill -0 "$NODE_PID" 2>/dev/null || { cat "$WORK/node.log"; echo "$name: the node died"; exit 1; }
    sleep 0.2
  done
}

stop_dev_node() {
  if [ -n "$NODE_PID" ]; then kill "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
