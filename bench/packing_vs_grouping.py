"""Packing vs length-grouped batching at EQUAL LOSS (issue #5), back to back in one process.

    python bench/packing_vs_grouping.py [--profile cpu] [--size s] [--rows 4000] [--heldout 256]

Builds EcomInstruct for the profile into a temporary folder (``ecomlib.instruct.build``), sets aside a
fixed, seeded set of ``--heldout`` train rows for evaluation, and trains the same model (same size,
same seeded init, same tokenizer) on the same remaining ``--rows`` rows for exactly ONE epoch, with
``train.packing=true`` and then ``false`` (``train_stage``, the library's own loop). Both runs therefore
see the same instances once; each takes as many optimizer steps as its batching needs for that epoch.

During each run the held-aside loss (mean cross-entropy per trained token, the same loss as training,
each row alone, no packing) is measured every few steps from a post-optimizer-step hook; its time is
subtracted from the wall clock. The target loss is the worse of the two final held-aside losses (what the
slower one reaches at the end); for each mode the bench prints the first evaluated point at or below the
target: training wall time, optimizer steps, instances and trained tokens needed. The last line is the
equal-loss speed ratio (grouped time / packed time to the target; > 1 means packing is faster).
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
import time
from pathlib import Path

import torch

from ecomlib.config import apply_overrides, load_profile
from ecomlib.seeding import stable_seed
from ecomlib.training import build_model, train_stage, train_tokenizer
from ecomlib.training.data import SEED_SEP, MicroBatchStream, encode_instructions

from common import first_at_or_below, heldout_loss  # bench/common.py (the script's folder is on sys.path)


def run_mode(profile, rows, held_enc, tok, packing: bool, out: Path, evals: int, batch_size: int = 0) -> dict:
    from torch.optim.optimizer import register_optimizer_step_post_hook

    p = apply_overrides(profile, [f"train.packing={str(packing).lower()}"] + ([f"train.batch_size={batch_size}"] if batch_size else []))
    t = p.train
    # The loop's own micro-batch plan, rebuilt here (a pure function) to count instances per step.
    enc = encode_instructions(rows, tok, t.max_length)
    stream = MicroBatchStream(enc, t.batch_size, t.max_length, packing, stable_seed(t.seed, "ecominstruct", sep=SEED_SEP), tok.pad_token_id)
    steps = stream.epoch_size(0)  # grad_accum 1, one process, epochs=1
    plan = stream.epoch_plan(0)
    inst_per_step = [sum(len(r) for r in mb) for mb in plan]
    every = max(1, steps // evals)
    model = build_model(p.size(p.model.default_size), tok, t.seed)  # same seed -> same init in both modes
    curve = [{"step": 0, "loss": heldout_loss(model, held_enc, tok.pad_token_id)}]
    clock = {"step": 0, "eval_s": 0.0, "at": {}}

    def hook(optimizer, args, kwargs):
        clock["step"] += 1
        s = clock["step"]
        if s % every == 0 or s == steps:
            t0 = time.perf_counter()
            curve.append({"step": s, "loss": heldout_loss(model, held_enc, tok.pad_token_id)})
            clock["eval_s"] += time.perf_counter() - t0
        clock["at"][s] = clock["eval_s"]  # eval seconds inside steps 1..s

    handle = register_optimizer_step_post_hook(hook)
    try:
        w0 = time.perf_counter()
        res = train_stage(p, "ecominstruct", out, model=model, tokenizer=tok, examples=rows, progress=False)
        wall_total = time.perf_counter() - w0 - clock["eval_s"]
    finally:
        handle.remove()
    hist = {h["step"]: h for h in res.history}
    assert len(res.history) == steps, (len(res.history), steps)
    for pt in curve:
        s = pt["step"]
        h = hist.get(s)
        pt["seconds"] = 0.0 if s == 0 else h["seconds"] - clock["at"][s]  # training time only
        pt["instances"] = sum(inst_per_step[:s])
        pt["tokens_trained"] = 0 if s == 0 else h["tokens_trained"]
    h1, hN = res.history[0], res.history[-1]
    secs = hN["seconds"] - clock["at"][steps] - (h1["seconds"] - clock["at"][1])  # skip step 1 (warm-up)
    real = (hN["tokens_total"] - hN["tokens_padded"]) - (h1["tokens_total"] - h1["tokens_padded"])
    k = max(1, steps // 10)
    return {"packing": packing, "steps": steps, "instances": sum(inst_per_step), "curve": curve,
            "tok/s": real / secs, "trained tok/s": (hN["tokens_trained"] - h1["tokens_trained"]) / secs,
            "pad frac": res.tokens["padded"] / res.tokens["total"], "train seconds": hN["seconds"] - clock["at"][steps],
            "wall incl. setup": wall_total, "eval seconds": clock["eval_s"], "final heldout": curve[-1]["loss"],
            "train loss last 10%": sum(h["loss"] for h in res.history[-k:]) / k}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--size", default="s")
    ap.add_argument("--rows", type=int, default=4000, help="training rows (one epoch over them in each mode)")
    ap.add_argument("--heldout", type=int, default=256, help="train rows set aside for the equal-loss measurement")
    ap.add_argument("--evals", type=int, default=15, help="held-aside evaluations per run (besides step 0)")
    ap.add_argument("--packed-batch-size", type=int, default=0,
                    help="rows per packed micro-batch (default: the profile's train.batch_size, as for length-grouped); "
                         "e.g. batch_size / instances-per-packed-row to compare at equal instances per step")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's own choice)")
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    profile = load_profile(a.profile, ["train.epochs=1", "train.max_steps=0", "train.save_every=0",
                                       f"model.default_size={a.size}", *a.overrides])
    from ecomlib.instruct import build, load_rows

    with tempfile.TemporaryDirectory(prefix="ecomlib-packbench-") as d:
        t0 = time.perf_counter()
        all_rows = load_rows(build(profile, Path(d) / "data", progress=False), "train")
        print(f"built EcomInstruct ({a.profile}): {len(all_rows)} train rows in {time.perf_counter() - t0:.1f} s")
        rng = random.Random(stable_seed(profile.seed, "packing-bench", sep=SEED_SEP))
        idx = list(range(len(all_rows)))
        rng.shuffle(idx)
        held = [all_rows[i] for i in idx[: a.heldout]]
        rows = [all_rows[i] for i in idx[a.heldout : a.heldout + a.rows]]
        tok = train_tokenizer([r["prompt"] + r["output"] for r in rows], profile.tokenizer.vocab_size,
                              profile.tokenizer.min_frequency)
        t = profile.train
        held_enc = encode_instructions(held, tok, t.max_length)
        lens = [len(x) for x, _ in encode_instructions(rows, tok, t.max_length)]
        print(f"model {a.size} ({profile.size(a.size)}), batch {t.batch_size} x max_length {t.max_length}, lr {t.lr}, "
              f"train rows {len(rows)} (mean {sum(lens) / len(lens):.0f} tokens, max {max(lens)}), held-aside rows {len(held)}, "
              f"torch threads {torch.get_num_threads()}")
        res = {}
        for packing in (True, False):
            res[packing] = run_mode(profile, rows, held_enc, tok, packing, Path(d) / f"p{int(packing)}", a.evals,
                                    a.packed_batch_size if packing else 0)
    names = {True: "packed", False: "length-grouped"}
    for packing, r in res.items():
        print(f"\n[{names[packing]}] held-aside loss curve (step, instances, train seconds, loss):")
        print("  " + "  ".join(f"({c['step']}, {c['instances']}, {c['seconds']:.1f}s, {c['loss']:.4f})" for c in r["curve"]))
    print(f"\nrows per micro-batch: packed {a.packed_batch_size or t.batch_size}, length-grouped {t.batch_size}; "
          f"instances per step: packed {res[True]['instances'] / res[True]['steps']:.1f}, "
          f"length-grouped {res[False]['instances'] / res[False]['steps']:.1f}")
    cols = ["steps", "instances", "tok/s", "trained tok/s", "pad frac", "train seconds", "final heldout", "train loss last 10%"]
    print("\n" + f"{'mode':16s}" + "".join(f"{c:>20s}" for c in cols))
    for packing, r in res.items():
        print(f"{names[packing]:16s}" + "".join(f"{r[c]:>20.3f}" if isinstance(r[c], float) else f"{r[c]:>20d}" for c in cols))
    target = max(res[True]["final heldout"], res[False]["final heldout"])
    slower = names[True] if res[True]["final heldout"] >= res[False]["final heldout"] else names[False]
    print(f"\ntarget held-aside loss: {target:.4f} (the final loss of the worse run, {slower})")
    hit = {}
    for packing, r in res.items():
        h = first_at_or_below(r["curve"], target)
        hit[packing] = h
        if h is None:
            print(f"{names[packing]:16s} does not reach the target")
        else:
            print(f"{names[packing]:16s} reaches it at step {h['step']}/{r['steps']}: {h['seconds']:.1f} s train time "
                  f"(interpolated {h['interp_seconds']:.1f} s), {h['instances']} instances, {h['tokens_trained']} trained tokens")
    print(f"packed/length-grouped trained tok/s: {res[True]['trained tok/s'] / res[False]['trained tok/s']:.2f}")
    print(f"packed/length-grouped full-epoch train time: {res[True]['train seconds'] / res[False]['train seconds']:.2f}")
    if hit[True] and hit[False]:
        ratio = hit[False]["seconds"] / hit[True]["seconds"]
        faster = "packed" if ratio > 1 else "length-grouped"
        print(f"equal-loss ratio (length-grouped time / packed time to loss {target:.4f}): {ratio:.2f} "
              f"(interpolated {hit[False]['interp_seconds'] / hit[True]['interp_seconds']:.2f}) -> faster at equal loss: {faster}")
    else:
        print("equal-loss ratio: n/a (one mode never reached the target)")


if __name__ == "__main__":
    main()
