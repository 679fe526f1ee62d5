"""Where a fine-tune stage spends its time outside the training loop: one EcomGPT fine-tune of the full
EcomInstruct, run through ``pipeline.finetune`` (the study's own code path) with a short loop, profiled.

    ECOMLIB_WORK_DIR=.work/cpu python bench/finetune_overhead.py --profile cpu --size xs --max-steps 60

Why: a cold cpu study spent ~440 s between its fine-tunes' completions beyond the seconds their training
loops report (results/cpu/RUN.md against the models' result.json); this names the parts. The bases must be
cached in ECOMLIB_WORK_DIR (the study's cache); ``--seed`` picks a fine-tune seed no study arm uses so the
stage is computed, and ``--max-steps`` keeps its loop short, while every step before and after the loop
(reading, selecting and tokenising the rows, loading the base, saving, hashing outputs) runs at full size.
Prints the stage's wall time, the loop's own seconds (result.json), their ratio, and the functions with the
largest cumulative time (cProfile; its per-call cost inflates Python-heavy code, the loop most of all).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="smoke")
    ap.add_argument("--size", default=None, help="ladder size (default: the profile's default_size)")
    ap.add_argument("--max-steps", type=int, default=60)
    ap.add_argument("--seed", type=int, default=99, help="a fine-tune seed no study arm uses")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--only", default=None, help="list only functions whose path matches this regex (e.g. ecomlib)")
    args = ap.parse_args(argv)

    from ecomlib.config import apply_overrides, load_profile
    from ecomlib.study import pipeline

    profile = apply_overrides(load_profile(args.profile),
                              {"train.max_steps": args.max_steps, "train.seed": args.seed}, src="bench")
    size = args.size or profile.model.default_size
    print(f"profile {profile.name}, size {size}, train.max_steps {args.max_steps}, train.seed {args.seed}, "
          f"torch threads from OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    prof = cProfile.Profile()
    started_at = time.time()
    start = time.perf_counter()
    prof.enable()
    out = pipeline.finetune(profile, size)
    prof.disable()
    wall = time.perf_counter() - start
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    loop = float(result["seconds"])
    print(f"stage wall {wall:.2f} s, training loop {loop:.2f} s ({result.get('steps')} steps), "
          f"outside the loop {wall - loop:.2f} s = {(wall - loop) / wall:.0%} of the stage")
    if (out / "DONE.json").stat().st_mtime < started_at:
        print("(the stage came from the cache: pick another --seed to measure it)")
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(*([args.only] if args.only else []), args.top)
    print(buf.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
