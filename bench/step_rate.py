"""Fine-tune step rate of every ladder size, back to back in one process: the rates ``scripts/plan_cost.py``
turns a plan's steps into seconds with, and their ratio to the profile's default size.

    python bench/step_rate.py --profile cpu --steps 300

Each size trains ``--steps`` optimizer steps of the EcomInstruct stage (the profile's batch, packing and
max_length; the convergence rule off) from a fresh model on the same rows of the profile's build, so the
rate covers what a fine-tune step costs: forward, backward and the optimizer. The first steps (warm-up of
kernels and allocator) are included, as in a real fine-tune.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="smoke")
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args(argv)

    import torch

    from ecomlib.config import load_profile
    from ecomlib.instruct import load_rows
    from ecomlib.study import pipeline
    from ecomlib.training import load_tokenizer, train_stage

    profile = load_profile(args.profile, [*args.overrides, f"train.max_steps={args.steps}", "train.heldaside_fraction=0"])
    rows = load_rows(pipeline.build_data(profile), "train")
    tok = load_tokenizer(pipeline.tokenizer(profile))
    print(f"profile {profile.name}: {args.steps} steps of batch {profile.train.batch_size} (packing "
          f"{profile.train.packing}, max_length {profile.train.max_length}); torch threads {torch.get_num_threads()}")
    rates = {}
    for size in profile.model.ladder:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            train_stage(profile, "ecominstruct", Path(tmp) / "run", tokenizer=tok, size=size.name, examples=rows)
            wall = time.perf_counter() - t0
            result = json.loads((Path(tmp) / "run" / "result.json").read_text())
        rates[size.name] = result["steps"] / result["seconds"]
        print(f"size {size.name:4s} hidden {size.hidden_size:4d} layers {size.n_layer}: {result['steps']} steps in "
              f"{result['seconds']:.1f} s of training ({wall:.1f} s with model set-up): {rates[size.name]:.1f} steps/s")
    base = profile.model.default_size
    for name, rate in rates.items():
        print(f"ratio {name}/{base} steps/s: {rate / rates[base]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
