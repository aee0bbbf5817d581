#!/usr/bin/env bash
# Differential check of backingd's erasure coding against the independent PyPI encoder
# reed-solomon-leopard (see scripts/erasure_differential.py). Makes its own virtualenv in .venv-erasure/
# and installs nothing else. Arguments go to the Python driver (--cases N, --seed S).
# Environment: SWIFT (default swift), SCRATCH_PATH (a SwiftPM --scratch-path), CONFIGURATION (debug|release).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-erasure
LEOPARD=reed-solomon-leopard==0.2.1
if [ ! -x "$VENV/bin/python" ] && ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian without python3-venv: a private --target install instead of a virtualenv.
    rm -rf "$VENV"
    mkdir -p "$VENV/site"
fi
if [ -x "$VENV/bin/python" ]; then
    PYTHON="$VENV/bin/python"
    "$PYTHON" -c "import reed_solomon_leopard" 2>/dev/null || "$PYTHON" -m pip install -q --disable-pip-version-check "$LEOPARD"
else
    PYTHON=python3
    export PYTHONPATH="$PWD/$VENV/site"
    "$PYTHON" -c "import reed_solomon_leopard" 2>/dev/null \
        || "$PYTHON" -m pip install -q --disable-pip-version-check --target "$VENV/site" "$LEOPARD"
fi

SWIFT=${SWIFT:-swift}
BUILD_FLAGS=(-c "${CONFIGURATION:-debug}")
if [ -n "${SCRATCH_PATH:-}" ]; then BUILD_FLAGS+=(--scratch-path "$SCRATCH_PATH"); fi
$SWIFT build "${BUILD_FLAGS[@]}" --product backingd
BACKINGD="$($SWIFT build "${BUILD_FLAGS[@]}" --show-bin-path)/backingd"

exec "$PYTHON" scripts/erasure_differential.py --backingd "$BACKINGD" "$@"
