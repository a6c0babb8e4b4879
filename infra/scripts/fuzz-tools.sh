#!/usr/bin/env bash
# The API fuzzer (schemathesis, pinned with every dependency in fuzz-requirements.txt) in its own
# Python virtual environment, <data>/fuzz-venv. Idempotent: a venv already holding exactly these
# packages is reused in well under a second; otherwise it is (re)built from PyPI.
#
#   infra/scripts/fuzz-tools.sh          make sure the venv is there; print the schemathesis path
#
# Only the path goes to stdout, so `st=$(infra/scripts/fuzz-tools.sh)` works; progress goes to
# stderr. Needs Python >= 3.10 (python3.11 or python3 on PATH, or TONGBAN_PYTHON).
# test/e2e/api-fuzz.e2e.spec.ts calls it when the venv is missing; .ci/run calls it before npm test.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(dirname -- "$(dirname -- "$SCRIPT_DIR")")
DATA_DIR=${TONGBAN_DATA_DIR:-$REPO_ROOT/.data}
VENV=${TONGBAN_FUZZ_VENV:-$DATA_DIR/fuzz-venv}
REQUIREMENTS=$SCRIPT_DIR/fuzz-requirements.txt
STAMP=$VENV/.tongban-requirements.sha256

log() { printf 'fuzz-tools: %s\n' "$*" >&2; }

want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
ready() { [ -x "$VENV/bin/schemathesis" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; }

if ready; then
  echo "$VENV/bin/schemathesis"
  exit 0
fi

mkdir -p "$DATA_DIR"
# Two callers at once (CI's step and a test) must not build the same venv over each other.
exec 9>"$DATA_DIR/.fuzz-tools.lock"
flock -w 600 9 || { log "could not lock $DATA_DIR/.fuzz-tools.lock within 600 s"; exit 1; }
if ready; then
  echo "$VENV/bin/schemathesis"
  exit 0
fi

python=${TONGBAN_PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
      python=$candidate
      break
    fi
  done
fi
[ -n "$python" ] || { log "no Python >= 3.10 found (set TONGBAN_PYTHON)"; exit 1; }

t0=$(date +%s)
log "building $VENV with $("$python" --version 2>&1) from $REQUIREMENTS"
rm -rf "$VENV"
"$python" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-virtualenv -r "$REQUIREMENTS" >&2
"$VENV/bin/schemathesis" --version >&2
echo "$want" >"$STAMP"
log "ready in $(($(date +%s) - t0)) s"
echo "$VENV/bin/schemathesis"
