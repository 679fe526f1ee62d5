#!/usr/bin/env bash
# Re-execute every notebook in the smoke profile and store its outputs in place (what nbval compares
# against). Run after changing a notebook or what it prints. A fresh cache, so no stale stage is shown.
# Usage: scripts/refresh_notebooks.sh [NN ...]   (default: every notebook)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/bootstrap.sh
export ECOMLIB_PROFILE=smoke MPLBACKEND=Agg TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
export ECOMLIB_WORK_DIR="${ECOMLIB_WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ecomlib-refresh.XXXXXX")}"
export ECOMLIB_RESULTS_DIR="${ECOMLIB_RESULTS_DIR:-$ECOMLIB_WORK_DIR/results}"
out="$ECOMLIB_WORK_DIR/executed"
mkdir -p "$out"
shopt -s nullglob
for nb in notebooks/[0-9][0-9]_*.ipynb; do
  name="$(basename "$nb" .ipynb)"
  if [ $# -gt 0 ] && [[ ! " $* " =~ " ${name%%_*} " ]]; then continue; fi
  echo "==> $name"
  papermill "$nb" "$out/$name.ipynb" -k ecomlib --cwd notebooks --log-level WARNING
  python -m ecomlib.study.nbclean "$out/$name.ipynb"
  cp "$out/$name.ipynb" "$nb"
done
