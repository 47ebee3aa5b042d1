#!/usr/bin/env bash
# One entry point for users and CI.
#   bash stilts.sh study [params/sandbox.yaml] [runner flags]   set up, then run a study (default: sandbox)
#   bash stilts.sh test [pytest args]                           set up, then run the test suite
#   bash stilts.sh lab                                          set up, then open JupyterLab
# Set-up is idempotent: a virtual environment in .venv, torch pinned and installed first (an unpinned
# torch pulls several GB of CUDA wheels), then the pinned stack; skipped when nothing changed.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
VENV=${STILTS_VENV:-.venv}
TORCH=${STILTS_TORCH:-torch==2.13.0}

setup() {
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  local stamp="$VENV/.stilts-$(cat requirements.txt pyproject.toml | sha256sum | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    echo "Installing the pinned environment into $VENV (a few minutes, once)..."
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q "$TORCH"
    "$VENV/bin/python" -m pip install -q -r requirements.txt
    "$VENV/bin/python" -m pip install -q --no-deps -e .
    touch "$stamp"
  fi
  # No hub here by default: fail fast instead of retrying for ~25 s per missing file.
  export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1} HF_DATASETS_OFFLINE=${HF_DATASETS_OFFLINE:-1}
  export TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
}

cmd=${1:-study}; shift || true
setup
case "$cmd" in
  study) exec "$VENV/bin/python" -m stilts_utils run "${@:-params/sandbox.yaml}" ;;
  test)  exec "$VENV/bin/python" -m pytest -q "$@" ;;
  lab)   exec "$VENV/bin/jupyter" lab --allow-root --notebook-dir=. "$@" ;;
  *) echo "usage: bash stilts.sh {study [PARAMS] | test [PYTEST ARGS] | lab}" >&2; exit 2 ;;
esac
