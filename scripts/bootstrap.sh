#!/usr/bin/env bash
# Create .venv/ at the repo root if missing, install ecomlib with its pinned dependencies, register
# the Jupyter kernel "ecomlib". A second run reuses the environment: it reinstalls only when
# pyproject.toml changed (its hash is kept in .venv/.ecomlib-installed).
# Usage: source scripts/bootstrap.sh   (activates the venv in the calling shell)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  echo "[bootstrap] creating $VENV"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.ecomlib-installed"
want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[bootstrap] installing pinned dependencies into $VENV (one time; about a minute)"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # torch first, pinned, so no resolver step can pull a CUDA build.
  "$VENV/bin/python" -m pip install -q "torch==2.13.0"
  "$VENV/bin/python" -m pip install -q -e "$ROOT[dev]"
  "$VENV/bin/python" -m ipykernel install --sys-prefix --name ecomlib --display-name "Python (ecomlib)" >/dev/null
  echo "$want" > "$stamp"
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
export PYTHONHASHSEED=0
