"""Measure one arm trained to convergence: each stage's stopping record and seconds, then held-in and
held-out scores beside the best trivial predictor on the same rows. Hyperparameters are read off the
held-in columns only; the held-out columns are printed for the record, never used to choose.

    OMP_NUM_THREADS=2 python scripts/measure_convergence.py --profile cpu --size s \
        --set train.heldaside_fraction=0.05 --out results/bench/convergence_cpu_s.json

Stages come from the study cache (``ECOMLIB_WORK_DIR``), so a second call with other fine-tune settings
reuses the data, tokenizer and bases.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _stage_record(model_dir: Path) -> dict:
    result = json.loads((model_dir / "result.json").read_text(encoding="utf-8"))
    stop = result.get("stopping") or {}
    return {"steps": result["steps"], "seconds": round(result["seconds"], 1), "final_train_loss": result["final_loss"],
            "tokens_trained": result["tokens"]["trained"], "tokens_total": result["tokens"]["total"],
            "stopped_early": stop.get("stopped_early"), "best_step": stop.get("best_step"),
            "best_heldaside_loss": stop.get("best_heldaside_loss"), "reason": stop.get("reason"),
            "curve": stop.get("curve")}


def _command(argv: list[str], out: Path) -> str:
    """The command as run, with ``--out`` relative to the repository (no machine path is recorded)."""
    from ecomlib.config import REPO_ROOT

    path = out.resolve()
    shown = path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else out.name
    args = [shown if a == str(out) else a for a in argv]
    return "python scripts/measure_convergence.py " + " ".join(args)


def _save(out_path: Path, argv: list[str], record: dict) -> None:
    from ecomlib.io import atomic_write_json

    atomic_write_json(out_path, {"command": _command(argv, out_path), **record})


def _best(rows: dict, key: str) -> tuple[str, float]:
    vals = {name: r.get(key) for name, r in rows.items() if r.get(key) is not None}
    name = max(vals, key=vals.get)
    return name, vals[name]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--size", default=None)
    ap.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--per-task", type=int, default=None, metavar="N",
                    help="fine-tune on N rows per task of the build (Selection(per_task=N)); the tokenizer and bases "
                    "are those of the full build, so rows per task can be compared on held-in at their cost")
    ap.add_argument("--bases-only", action="store_true", help="the BLOOM-like and BLOOMZ-like stages and the "
                    "BLOOMZ-like check only (no fine-tune)")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = ap.parse_args(argv)

    from ecomlib.config import load_profile
    from ecomlib.study import pipeline
    from ecomlib.study.evidence import model_instance_scores, trivial_gaps, trivial_scores
    from ecomlib.evaluation.summary import summarize, summarize_heldin

    profile = load_profile(args.profile, args.overrides)
    size = args.size or profile.model.default_size
    t0 = time.perf_counter()
    stages = {}
    for stage in ("pretrain", "general"):
        d = pipeline.base_model(profile, size, stage, progress=True)
        stages[stage] = {"dir": d.name, **_stage_record(d)}
    general = pipeline.general_check(profile, size, progress=True)
    if args.bases_only:
        _save(args.out, argv, {"stages": stages, "general_check": general})
        for k in ("BLOOM-like", "BLOOMZ-like", "trivial: copy input"):
            print(f"general held-aside {k:20s} {general[k]['mean']}")
        return 0
    from ecomlib.instruct import Selection

    ft = pipeline.finetune(profile, size, Selection(per_task=args.per_task), progress=True)
    stages["ecominstruct"] = {"dir": ft.name, **_stage_record(ft)}
    t_train = time.perf_counter() - t0
    keys_hi = ("HI_rougeL", "HI_rougeL_c", "HI_miF1")
    keys_ho = ("UD_rougeL", "UD_rougeL_c", "UD_miF1", "UD_rougeL_CLS_c", "UD_rougeL_EXT_c", "UD_rougeL_GEN_c",
               "UD_rougeL_EN_c", "UD_rougeL_ZH_c")
    model_hi = summarize_heldin(pipeline.evaluate(profile, ft, "heldin", progress=True))
    model_ho = summarize(pipeline.evaluate(profile, ft, "heldout", progress=True))
    triv_hi = {n: summarize_heldin(s) for n, s in trivial_scores(profile, "heldin").items()}
    triv_ho = {n: summarize(s) for n, s in trivial_scores(profile, "heldout").items()}
    out = {
        "profile": args.profile, "size": size, "overrides": args.overrides,
        "train": {k: getattr(profile.train, k) for k in ("lr", "epochs", "max_steps", "pretrain_steps", "general_steps",
                                                        "heldaside_fraction", "evals_per_epoch", "patience", "min_delta")},
        "max_per_task": profile.data.max_per_task, "per_task": args.per_task,
        "stages": stages, "seconds_to_train_or_load": round(t_train, 1),
        "general_check": {k: v["mean"] for k, v in general.items() if isinstance(v, dict)},
        "heldin": {k: model_hi.get(k) for k in keys_hi},
        "heldin_per_task": {k: v for k, v in model_hi.items() if k.startswith("HI:")},
        "heldin_best_trivial": {k: _best(triv_hi, k) for k in keys_hi if any(r.get(k) is not None for r in triv_hi.values())},
        "heldout": {k: model_ho.get(k) for k in keys_ho},
        "heldout_best_trivial": {k: _best(triv_ho, k) for k in keys_ho if any(r.get(k) is not None for r in triv_ho.values())},
        "seconds_total": round(time.perf_counter() - t0, 1),
    }
    gaps = {split: trivial_gaps(profile, [model_instance_scores(profile, ft, split)], split)
            for split in ("heldin", "heldout")}
    out["gaps_vs_best_trivial"] = {split: df.to_dict("records") for split, df in gaps.items()}
    _save(args.out, argv, out)
    for name, s in stages.items():
        print(f"{name:13s} steps {s['steps']:6d}  {s['seconds']:7.1f} s  best aside loss {s['best_heldaside_loss']}  "
              f"({s['reason']})")
    for k, v in out["general_check"].items():
        print(f"general held-aside  {k:20s} exact {v['exact']:6.2f}  rougeL_char {v['rougeL_char']:6.2f}")
    for k in keys_hi:
        print(f"held-in  {k:18s} {out['heldin'][k]}   best trivial {out['heldin_best_trivial'].get(k)}")
    for k in keys_ho:
        print(f"held-out {k:18s} {out['heldout'][k]}   best trivial {out['heldout_best_trivial'].get(k)}")
    for split, df in gaps.items():
        print(f"\n{split}: model - best trivial of the same tasks (95% paired bootstrap)")
        print(df.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
