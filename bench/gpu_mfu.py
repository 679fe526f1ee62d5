"""bf16 instruction tuning on one GPU: tokens/s and MFU of the largest ``gpu``-profile model.

    python bench/gpu_mfu.py [--profile gpu] [--size 350m] [--steps 60] [--warmup 10] [--rows 20000]
    python bench/gpu_mfu.py --cpu-dry-run      # checks the script on CPU (smoke profile; no MFU)

Builds EcomInstruct for the profile into a temporary folder (or reads ``--data train.jsonl``), trains a
byte-level BPE tokenizer on those rows, and runs the library's own loop (``train_stage``: the profile's
packing, batch, grad_accum, bf16 autocast) for ``--steps`` optimizer steps. MFU per step comes from the
loop's history (``ModelFlops``: 6 x non-embedding parameters per real token, the vocabulary projection
only at trained tokens, causal attention per instance; divided by the card's dense bf16 peak). Prints
the mean over the steps after ``--warmup``, peak memory, and the MFU last. Target (issue #8): >= 40% on
one H200. Exits 2 with a message when no CUDA device is present (unless --cpu-dry-run).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from ecomlib.config import apply_overrides, load_profile
from ecomlib.io import read_jsonl
from ecomlib.training import train_stage, train_tokenizer
from ecomlib.training.loop import peak_flops


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="gpu")
    ap.add_argument("--size", default=None, help="a ladder size (default: the profile's largest)")
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=10, help="first steps left out of the means (compilation, allocator)")
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--data", type=Path, default=None, help="an EcomInstruct train.jsonl instead of a fresh build")
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    ap.add_argument("--cpu-dry-run", action="store_true", help="smoke profile, 4 steps on CPU: checks the script only")
    a = ap.parse_args()
    if a.cpu_dry_run:
        a.profile, a.steps, a.warmup, a.rows = "smoke", 4, 1, 200
    elif not torch.cuda.is_available():
        print("bench/gpu_mfu.py: needs a CUDA device (use --cpu-dry-run to check the script on CPU)", file=sys.stderr)
        sys.exit(2)
    profile = load_profile(a.profile, [f"train.max_steps={a.steps}", "train.epochs=100", "train.save_every=0", *a.overrides])
    size = a.size or profile.model.ladder[-1].name
    profile = apply_overrides(profile, [f"model.default_size={size}"])
    t = profile.train
    with tempfile.TemporaryDirectory(prefix="ecomlib-mfu-") as d:
        if a.data:
            rows = list(read_jsonl(a.data))
        else:
            from ecomlib.instruct import build, load_rows

            t0 = time.perf_counter()
            rows = load_rows(build(profile, Path(d) / "data", progress=False), "train")
            print(f"built EcomInstruct ({profile.name}): {len(rows)} train rows in {time.perf_counter() - t0:.1f} s")
        random.Random(0).shuffle(rows)
        rows = rows[: a.rows]
        tok = train_tokenizer([r["prompt"] + r["output"] for r in rows], profile.tokenizer.vocab_size,
                              profile.tokenizer.min_frequency)
        device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
        print(f"device {device}; profile {profile.name}, model {size} ({profile.size(size)}), bf16 {t.bf16}, "
              f"packing {t.packing}, batch {t.batch_size} x grad_accum {t.grad_accum} x max_length {t.max_length}, "
              f"{a.steps} steps, {len(rows)} rows")
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        res = train_stage(profile, "ecominstruct", Path(d) / "model", tokenizer=tok, examples=rows, progress=False)
    h = res.history[a.warmup:]
    tok_s = statistics.mean(x["tokens_per_s"] for x in h)
    trained_s = statistics.mean(x["trained_tokens_per_s"] for x in h)
    mem = f"{torch.cuda.max_memory_allocated() / 2**30:.1f} GiB" if torch.cuda.is_available() else "n/a (CPU)"
    print(f"steps {len(res.history)} (means over the last {len(h)}): real tokens/s {tok_s:,.0f}, trained tokens/s "
          f"{trained_s:,.0f}, padding {res.tokens['padded'] / res.tokens['total']:.3f}, peak memory {mem}, "
          f"final loss {res.final_loss:.4f}")
    if "mfu" in h[0]:
        mfus = [x["mfu"] for x in h]
        print(f"MFU per step: min {min(mfus):.3f}, median {statistics.median(mfus):.3f}, max {max(mfus):.3f} "
              f"(peak {peak_flops() / 1e12:.0f} TFLOP/s bf16)")
        print(f"MFU (mean over steps {a.warmup + 1}-{len(res.history)}): {statistics.mean(mfus):.3f}")
    else:
        print("MFU: n/a (no CUDA device or no known peak FLOP/s for this card)")


if __name__ == "__main__":
    main()
