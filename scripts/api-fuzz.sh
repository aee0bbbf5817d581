#!/usr/bin/env bash
# Stateful API fuzzing: schemathesis (PyPI, own virtualenv .venv-schemathesis/) runs every check against the
# openapi.yaml a fresh `backingd serve --dev` node serves, after seeding it with an example leaf and a
# candidate seconded at it (so the lookups and the links from them reach real state). Any failure fails
# the script; the node must also still be up and ready afterwards. scripts/schemathesis.toml says which
# statuses count as expected and why.
#
# Usage: scripts/api-fuzz.sh   (env: SWIFT, CONFIG=debug|release (default debug), API_FUZZ_PORT,
#        API_FUZZ_EXAMPLES (per operation and phase, default 25), API_FUZZ_SEED (default fixed, so a run
#        repeats; `random` for a new one), API_FUZZ_LOG (a file to keep schemathesis' report in),
#        API_FUZZ_ARGS (more schemathesis arguments, e.g. `--include-operation-id second`))
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
CONFIG=${CONFIG:-debug}
PORT=${API_FUZZ_PORT:-8191}
EXAMPLES=${API_FUZZ_EXAMPLES:-25}
SEED=${API_FUZZ_SEED:-20261206}
SCHEMATHESIS_VERSION=4.32.5
VENV=.venv-schemathesis

if [ ! -x "$VENV/bin/schemathesis" ] || ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "api-fuzz: installing schemathesis $SCHEMATHESIS_VERSION into $VENV/"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

# shellcheck source=scripts/dev-node.sh
. scripts/dev-node.sh
start_dev_node api-fuzz "$PORT"
B="http://127.0.0.1:$PORT"

# Seed: a leaf in which //Alice backs the adder para and the adder's first block seconded at it.
"$BIN" leaf example >"$WORK/leaf.json"
curl -sf -o /dev/null -X POST "$B/v1/leaves" -H 'content-type: application/json' -d @"$WORK/leaf.json"
"$BIN" candidate example >"$WORK/collation.json"
curl -sf -o /dev/null -X POST "$B/v1/second" -H 'content-type: application/json' -d @"$WORK/collation.json"
API_FUZZ_LEAF=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$WORK/leaf.json")
API_FUZZ_CANDIDATE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["candidateHash"])' "$WORK/collation.json")
export API_FUZZ_LEAF API_FUZZ_CANDIDATE
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "$B/v1/povs/$API_FUZZ_CANDIDATE" && break
  sleep 0.1
done

seed_args=(--seed "$SEED")
[ "$SEED" = random ] && seed_args=()
started=$(date +%s)
if "$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run "$B/openapi.yaml" \
    --checks all --max-examples "$EXAMPLES" "${seed_args[@]}" --no-color ${API_FUZZ_ARGS:-} >"$WORK/run.log" 2>&1; then
  result=0
else
  result=$?
fi
elapsed=$(( $(date +%s) - started ))
[ -n "${API_FUZZ_LOG:-}" ] && cp "$WORK/run.log" "$API_FUZZ_LOG"

if ! kill -0 "$NODE_PID" 2>/dev/null || [ "$(curl -s -o /dev/null -w '%{http_code}' "$B/readyz" || true)" != 200 ]; then
  cat "$WORK/run.log"; echo "--- node log"; tail -30 "$WORK/node.log"
  echo "api-fuzz: the node is not up and ready after the run"
  exit 1
fi
if [ "$result" -ne 0 ]; then
  cat "$WORK/run.log"; echo "--- node log"; tail -30 "$WORK/node.log"
  echo "api-fuzz: schemathesis found failures (exit $result)"
  exit "$result"
fi
[ -n "${API_FUZZ_VERBOSE:-}" ] && cat "$WORK/run.log"
summary=$(grep -E '^ *[0-9]+ generated' "$WORK/run.log" | head -1 | sed 's/^ *//')
phases=$(grep -E '^ *(✅|❌|⏭|🚫).*(Examples|Coverage|Fuzzing|Stateful) \(in' "$WORK/run.log" | sed 's/^ *//' | tr '\n' ' ')
echo "api-fuzz: ok — schemathesis $SCHEMATHESIS_VERSION, every check, ${summary:-no summary}; phases: $phases; ${elapsed}s"
