#!/usr/bin/env bash
# The test command: sets up .venv if needed, then runs unit + integration tests and executes every
# notebook through nbval in the smoke profile. Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/bootstrap.sh
export ECOMLIB_PROFILE=smoke
# A fresh cache per run: results must not depend on what an older version of the code cached.
export ECOMLIB_WORK_DIR="${ECOMLIB_WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ecomlib-test.XXXXXX")}"
export ECOMLIB_RESULTS_DIR="${ECOMLIB_RESULTS_DIR:-$ECOMLIB_WORK_DIR/results}"
# Agg: no inline figures; Study.save_figure embeds each saved PNG in its notebook exactly once.
export MPLBACKEND=Agg TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
set +e
# --durations=15: the slowest tests, printed last, say where the run's time went
python -m pytest tests notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-current-env -p no:cacheprovider \
  --durations=15 "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then echo "no tests were collected" >&2; exit 1; fi
exit $rc
