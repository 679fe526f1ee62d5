"""What a profile's study plan costs to fine-tune, before training anything: every EcomGPT fine-tune of the
plan (arm x seed), the rows its selection trains on, its steps (rows x epochs over rows per step) and, with
measured step rates per size, its seconds. Builds the profile's data (cached); trains nothing.

    python scripts/plan_cost.py --profile cpu --set train.epochs=4 --rows-per-step 16 \
        --rate xs=34 --rate s=19.4 --rate m=10

``--rows-per-step``: training rows one optimizer step consumes (packed rows x instances per row x grad_accum),
read off a run's ``result.json``; ``--rate SIZE=STEPS_PER_S``: measured step rates (``bench/``). Bases and
evaluation are not counted (they are printed beside the total as what they are: not estimated here).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict


def _rates(items: list[str]) -> dict[str, float]:
    out = {}
    for item in items:
        size, _, value = item.partition("=")
        try:
            out[size] = float(value)
        except ValueError:
            raise SystemExit(f"plan_cost.py: --rate {item!r}: expected SIZE=STEPS_PER_SECOND, e.g. s=19.4") from None
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--rows-per-step", type=float, required=True)
    ap.add_argument("--rate", action="append", default=[], metavar="SIZE=STEPS_PER_S")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = ap.parse_args(argv)

    from ecomlib.config import load_profile
    from ecomlib.instruct import load_rows, select
    from ecomlib.study import pipeline
    from ecomlib.study.plan import study_plan

    profile = load_profile(args.profile, args.overrides)
    rates = _rates(args.rate)
    keep = 1.0 - profile.train.heldaside_fraction  # rows set aside are never trained on
    rows_of: dict[str, int] = {}
    per_arm: dict[str, dict] = defaultdict(lambda: {"fine_tunes": 0, "seconds": 0.0})
    for arm, seed, _ in study_plan(profile).runs():
        if arm.family != "EcomGPT":
            continue
        if arm.key not in rows_of:
            p = arm.profile(profile, seed)
            rows_of[arm.key] = len(select(load_rows(pipeline.build_data(p), "train"), arm.selection_obj()))
        t = arm.profile(profile, seed).finetune_profile(arm.size).train  # the size's own epochs, if set
        steps = rows_of[arm.key] * keep * t.epochs / args.rows_per_step
        steps = min(steps, t.max_steps) if t.max_steps > 0 else steps  # the fine-tune's step cap
        rec = per_arm[arm.key]
        rec.update(size=arm.size, rows=rows_of[arm.key], steps=round(steps))
        rec["fine_tunes"] += 1
        rec["seconds"] += steps / rates[arm.size] if arm.size in rates else float("nan")
    total = sum(r["seconds"] for r in per_arm.values())
    n = sum(r["fine_tunes"] for r in per_arm.values())
    if args.json:
        print(json.dumps({"fine_tunes": n, "seconds": round(total), "arms": per_arm}, indent=1))
        return 0
    for key, r in sorted(per_arm.items(), key=lambda kv: -kv[1]["seconds"]):
        print(f"{key:68s} x{r['fine_tunes']}  rows {r['rows']:6d}  steps {r['steps']:6d}  {r['seconds']:7.0f} s")
    print(f"{n} fine-tunes: {total:.0f} s of fine-tuning (bases and evaluation not included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
