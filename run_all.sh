#!/usr/bin/env bash
# Full reproduction of the EcomGPT study: set-up if needed, then every notebook in order through
# papermill. Executed notebooks (+ HTML) land in results/<profile>/. Stages are cached in hash-keyed
# run directories under .work/<profile>/, so an interrupted run, started again, redoes nothing that
# finished and gives the same results.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

usage() {
  cat <<'USAGE'
Usage: ./run_all.sh [--profile smoke|cpu|gpu|paper] [--world synthetic|open] [--only NN] [--help]

  --profile P   run profile from configs/P.yaml (default: cpu, the full study on a laptop CPU)
  --world W     data world: synthetic (embedded, default) or open (real public data; needs
                ECOMLIB_DATA_DIR, see README)
  --only NN     run only notebook NN (e.g. --only 04); earlier stages come from the cache or are computed;
                its record is RUN-only-NN.md (RUN.md stays the full run's)
  --help        this text

Outputs: results/<profile>[-open]/NN_name.ipynb and .html, tables/*.csv|md, figures/*.png, RUN.md
(the date, commit, machine, load, cache state and per-notebook seconds).
USAGE
}

ARGS="$*"  # kept for RUN.md before the parser shifts them away
PROFILE=cpu
WORLD=synthetic
ONLY=""
# An option's value must follow it (not be missing, empty or the next option): one line, exit 2.
need_value() {
  if [ "$#" -lt 3 ] || [ -z "$3" ] || [[ "$3" == --* ]]; then
    echo "run_all.sh: $1 needs $2 (see --help)" >&2; exit 2
  fi
}
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) need_value "$1" "a value: smoke, cpu, gpu or paper" "${@:2:1}"; PROFILE="$2"; shift 2 ;;
    --world) need_value "$1" "a value: synthetic or open" "${@:2:1}"; WORLD="$2"; shift 2 ;;
    --only) need_value "$1" "a notebook number, e.g. --only 04" "${@:2:1}"; ONLY="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run_all.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case "$PROFILE" in smoke|cpu|gpu|paper) ;; *) echo "run_all.sh: --profile must be smoke, cpu, gpu or paper (got '$PROFILE')" >&2; exit 2 ;; esac
case "$WORLD" in synthetic|open) ;; *) echo "run_all.sh: --world must be synthetic or open (got '$WORLD')" >&2; exit 2 ;; esac
if [ "$WORLD" = open ] && [ -z "${ECOMLIB_DATA_DIR:-}" ]; then
  echo "run_all.sh: --world open needs ECOMLIB_DATA_DIR (the open-data folder; see README)" >&2; exit 2
fi

shopt -s nullglob
notebooks=(notebooks/[0-9][0-9]_*.ipynb)
[ ${#notebooks[@]} -gt 0 ] || { echo "run_all.sh: no notebooks found in notebooks/" >&2; exit 1; }
valid=(); for nb in "${notebooks[@]}"; do n="$(basename "$nb")"; valid+=("${n%%_*}"); done
if [ -n "$ONLY" ]; then
  [[ "$ONLY" =~ ^[0-9]$ ]] && ONLY="0$ONLY"  # --only 4 means notebook 04
  if [[ ! " ${valid[*]} " == *" $ONLY "* ]]; then
    echo "run_all.sh: --only '$ONLY' is no notebook; valid numbers: ${valid[*]}" >&2; exit 2
  fi
fi

source scripts/bootstrap.sh
# Agg: no inline figures; Study.save_figure embeds each saved PNG in its notebook exactly once.
export MPLBACKEND=Agg TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1

TAG="$PROFILE"; [ "$WORLD" = open ] && TAG="$PROFILE-open"
OUT="${ECOMLIB_RESULTS_DIR:-$ROOT/results/$TAG}"  # the tests point both folders into a temporary dir
export ECOMLIB_WORK_DIR="${ECOMLIB_WORK_DIR:-$ROOT/.work/$TAG}"
export ECOMLIB_RESULTS_DIR="$OUT"
mkdir -p "$OUT"

# The run record names the tree as it is now, before this run's own outputs change files under results/.
START_COMMIT=$(git rev-parse HEAD 2>/dev/null || echo unknown)
START_DIRTY=0; [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && START_DIRTY=1
START_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }
finished_stages() {  # completed cache stages (<work>/<stage>/<hash>/DONE.json); 0 for a missing work dir
  { find "$ECOMLIB_WORK_DIR" -mindepth 3 -maxdepth 3 -name DONE.json 2>/dev/null || true; } | wc -l | tr -d ' '
}
LOAD_START=$(loadavg)
STAGES_BEFORE=$(finished_stages)

# A partial run keeps its own record: the full run's RUN.md (and its timings) describe the outputs beside them.
suffix=""; [ -n "$ONLY" ] && suffix="-only-$ONLY"
timings="$OUT/.timings$suffix.tsv"
: > "$timings"
current=""
interrupted() {  # Ctrl-C / kill: say so (not "FAILED ... the kernel may have died") and exit 128+signal
  echo "" >&2
  echo "run_all.sh: interrupted (SIG$1)${current:+ in notebook $current}; finished stages stay cached," \
       "so running the same command again resumes" >&2
  [ -n "$current" ] && echo "run_all.sh: the partial executed notebook is kept at $OUT/$(basename "$current")" >&2
  exit "$2"
}
trap 'interrupted INT 130' INT
trap 'interrupted TERM 143' TERM
start_all=$(date +%s)
for nb in "${notebooks[@]}"; do
  name="$(basename "$nb" .ipynb)"
  num="${name%%_*}"
  if [ -n "$ONLY" ] && [ "$num" != "$ONLY" ]; then continue; fi
  echo "==> [$TAG] $name"
  current="$nb"
  t0=$(date +%s)
  # papermill through ecomlib.study.runnb: Ctrl-C stops the kernel at once with no traceback, no TCP
  # warning; the notebook's own progress bars (training, evaluation) draw on this terminal.
  rc=0
  python -m ecomlib.study.runnb "$nb" "$OUT/$name.ipynb" -k ecomlib --cwd notebooks \
        -f "configs/$PROFILE.yaml" -y "{data: {world: $WORLD}}" --log-level WARNING --no-progress-bar \
        --quiet-interrupt || rc=$?
  if [ $rc -eq 130 ]; then interrupted INT 130; fi  # a signal to the runner alone
  if [ $rc -eq 143 ]; then interrupted TERM 143; fi
  if [ $rc -ne 0 ]; then
    echo "run_all.sh: FAILED in notebook $nb" >&2
    python -m ecomlib.study.nbfail "$OUT/$name.ipynb" >&2 || true
    echo "run_all.sh: the partial executed notebook is kept at $OUT/$name.ipynb" >&2
    exit 1
  fi
  python -m ecomlib.study.nbclean "$OUT/$name.ipynb"
  # the lab template, plus each figure's alt text (Study.save_figure's; the stock template drops it)
  jupyter nbconvert --to html --log-level WARN --template-file "$ROOT/ecomlib/study/templates/lab_alt.html.j2" \
    "$OUT/$name.ipynb" --output-dir "$OUT" >/dev/null
  t1=$(date +%s)
  current=""
  printf '%s\t%s\n' "$name" "$((t1 - t0))" >> "$timings"
  echo "    done in $((t1 - t0)) s"
done
end_all=$(date +%s)
python -m ecomlib.study.runmd --profile "$PROFILE" --world "$WORLD" --out "$OUT" \
  --commit "$START_COMMIT" --dirty "$START_DIRTY" --only "$ONLY" --started "$START_DATE" \
  --load-start "$LOAD_START" --load-end "$(loadavg)" \
  --stages-before "$STAGES_BEFORE" --stages-after "$(finished_stages)" \
  --timings "$timings" --total "$((end_all - start_all))" --command "./run_all.sh $ARGS"
echo "All done in $((end_all - start_all)) s. Results: $OUT/ (record: $OUT/RUN$suffix.md)"
