#!/bin/sh
# Creates .venv in the repository root with py-sr25519-bindings (Rust schnorrkel), the baseline the
# benchmark compares against and the oracle the fixtures were checked with. Never a runtime dependency.
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
python3 -m venv "$root/.venv"
"$root/.venv/bin/pip" install --quiet py-sr25519-bindings==0.2.4
"$root/.venv/bin/python" -c 'import sr25519; print("py-sr25519-bindings ready")'
