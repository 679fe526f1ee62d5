#!/usr/bin/env bash
# The one prepared GPU check of issue #14 (GPU time is short: everything in one run, each part time-boxed).
# Writes under results/gpu/: env.txt (machine, versions), gpu_mfu.txt (bench/gpu_mfu.py on the largest
# gpu-profile model, bf16), stage.txt (a shrunk gpu-profile pretrain + fine-tune stage and its MFU),
# eval_device.txt (the CUDA-gated evaluation test). Each file starts with the exact command.
# Usage: scripts/gpu_check.sh [PYTHON]   (default: python on PATH, which must have a CUDA torch)
# Never part of CI: CI has no GPU.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${1:-python}"
OUT=results/gpu
mkdir -p "$OUT"
export PYTHONPATH="$ROOT" PYTHONHASHSEED=0 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg
export ECOMLIB_WORK_DIR="$(mktemp -d)"
WORK="$ECOMLIB_WORK_DIR"

if ! "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
  echo "scripts/gpu_check.sh: $PY sees no CUDA device; nothing run" >&2
  exit 2
fi

record() {  # record FILE SECONDS CMD...: the command, its output and its exit status in FILE
  local file="$1" limit="$2"; shift 2
  { echo "\$ $*"; echo "# commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%FT%TZ)"; } > "$file"
  timeout "$limit" "$@" >> "$file" 2>&1
  local rc=$?
  echo "# exit $rc" >> "$file"
  echo "[gpu_check] $file: exit $rc"
}

{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1
  "$PY" -c "import torch, transformers, accelerate; print('torch', torch.__version__, 'cuda', torch.version.cuda, '| transformers', transformers.__version__, '| accelerate', accelerate.__version__)"
} > "$OUT/env.txt" 2>&1

# 1. MFU of the largest gpu-profile model (350m), bf16, the profile's packing/batch/grad_accum.
record "$OUT/gpu_mfu.txt" 240 "$PY" bench/gpu_mfu.py --profile gpu --size 350m --steps 40 --warmup 10 --rows 20000

# 2. A shrunk gpu-profile study stage: pretraining (packed, sdpa, bf16) then the EcomInstruct fine-tune from it,
#    through the CLI, with the per-step MFU in each history.jsonl.
SHRINK=(--set world.pretrain_documents=3000 --set world.records_per_source=300 --set data.max_per_task=50
        --set train.save_every=0 --no-progress)
record "$OUT/stage.txt" 200 bash -c "
  set -e
  $PY -m ecomlib.cli build-data --profile gpu ${SHRINK[*]:0:6} --out $WORK/build
  $PY -m ecomlib.cli train --profile gpu --stage pretrain --size 150m --set train.pretrain_steps=40 ${SHRINK[*]} --out $WORK/pre
  $PY -m ecomlib.cli train --profile gpu --stage ecominstruct --size 150m --init $WORK/pre --data $WORK/build \
      --set train.max_steps=20 ${SHRINK[*]} --out $WORK/ft
  $PY - <<'PY'
import json, statistics, sys
for name in ('pre', 'ft'):
    rows = [json.loads(l) for l in open('$WORK/' + name + '/history.jsonl')]
    mfu = [r['mfu'] for r in rows[5:] if 'mfu' in r]
    print(name, 'steps', len(rows), 'final loss', round(rows[-1]['loss'], 4),
          'tokens/s', round(statistics.mean(r['tokens_per_s'] for r in rows[5:])),
          'MFU', round(statistics.mean(mfu), 3) if mfu else 'n/a')
PY
"

# 3. Evaluation on the device (bf16), the CUDA-gated test.
record "$OUT/eval_device.txt" 120 "$PY" -m pytest tests/training/test_eval_device.py -q -p no:cacheprovider -m gpu

rm -rf "$WORK"
