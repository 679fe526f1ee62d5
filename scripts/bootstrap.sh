#!/usr/bin/env bash
# Create .venv/ at the repo root if missing, install ecomlib with its pinned dependencies, register
# the Jupyter kernel "ecomlib". A second run reuses the environment: it reinstalls only when
# pyproject.toml changed (its hash is kept in .venv/.ecomlib-installed).
# Usage: source scripts/bootstrap.sh   (activates the venv in the calling shell)
#
# The install runs in a subshell with its own strict options, so sourcing leaves the caller's shell
# options (set -e/-u/-o pipefail) as they were; only the venv activation and PYTHONHASHSEED remain.
_ecomlib_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(
  set -euo pipefail
  ROOT="$_ecomlib_root"
  PY="${PYTHON:-python3}"
  VENV="$ROOT/.venv"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "[bootstrap] creating $VENV"
    "$PY" -m venv "$VENV"
  fi
  stamp="$VENV/.ecomlib-installed"
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "[bootstrap] installing pinned dependencies into $VENV (one time; about 4 minutes on a 2-core machine)"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    # torch first, pinned, so no resolver step can pull a CUDA build.
    "$VENV/bin/python" -m pip install -q "torch==2.13.0"
    "$VENV/bin/python" -m pip install -q -e "$ROOT[dev]"
    # The deepspeed extra (the launcher tests' ZeRO-3 run), at pyproject's pin: its setup imports torch, so no
    # build isolation (which would fetch another torch), torch held at its pin, no ops compiled.
    ds_pin="$(grep -o '"deepspeed==[0-9.]*"' "$ROOT/pyproject.toml" | tr -d '"')"
    DS_BUILD_OPS=0 "$VENV/bin/python" -m pip install -q --no-build-isolation -c <(echo "torch==2.13.0") "$ds_pin"
    "$VENV/bin/python" -m ipykernel install --sys-prefix --name ecomlib --display-name "Python (ecomlib)" >/dev/null
    echo "$want" > "$stamp"
  fi
)
_ecomlib_rc=$?
if [ "$_ecomlib_rc" -ne 0 ]; then
  echo "[bootstrap] failed (exit $_ecomlib_rc); the environment in $_ecomlib_root/.venv is not ready" >&2
  unset _ecomlib_root
  # shellcheck disable=SC2317
  return "$_ecomlib_rc" 2>/dev/null || exit "$_ecomlib_rc"
fi
# shellcheck disable=SC1091
source "$_ecomlib_root/.venv/bin/activate"
export PYTHONHASHSEED=0
unset _ecomlib_root _ecomlib_rc
