"""Training throughput: our loop (packed, and length-grouped) vs the HF ``Trainer`` with its padding
collator (``DataCollatorForSeq2Seq``), same model, init, data, global batch and number of steps, back to back.

    python bench/train_throughput.py [--profile smoke] [--size xs] [--steps 30] [--rows 2000] [--data train.jsonl]

Two measures, both printed:
- throughput: tokens/s (all real tokens and trained tokens), padding fraction, peak memory;
- equal loss: every ~steps/12 steps each run's loss on ``--heldout`` rows none of the runs trains on is
  measured (each row alone, the same function for all three models; its time is kept out of the clocks).
  The target is the HF Trainer's final held-aside loss; for each of our runs the bench gives the training
  time to reach it (first evaluated point at or below, and linearly interpolated). A faster loop only
  counts if it also learns as much per second: batching changes what a step learns (a packed row holds
  several instances; a length-grouped batch holds similar, often same-task, rows).
The last lines: ours (the profile's mode)/HF trained tokens/s, then the equal-loss speed-up (HF time to
its final held-aside loss / our time to the same loss).

Data: the EcomInstruct-shaped fixture rows below (no downloads); pass --data train.jsonl to use a real
build (shuffled with a fixed seed: the first --rows rows train, the next --heldout are held aside).
Where the per-step speed comes from: ``bench/train_step_breakdown.py``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import torch

from common import first_at_or_below, heldout_loss  # bench/common.py
from ecomlib.config import apply_overrides, load_profile
from ecomlib.io import read_jsonl
from ecomlib.schema import PROMPT_END
from ecomlib.training import build_model, train_stage, train_tokenizer
from ecomlib.training.data import IGNORE, encode_instructions

WORDS = "phone case battery screen charger cable red blue cheap fast slow great bad delivery price 手机 耳机 蓝色 音质 很好".split()
EVALS = 12


def fixture_rows(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    s = lambda lo, hi: " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))
    return [{"prompt": f"Extract the product attributes.\nInput: {s(5, 120)}\n{PROMPT_END}", "output": s(1, 30)} for _ in range(n)]


def peak_mem_reset() -> None:
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()


def peak_mem() -> str:
    return f"{torch.cuda.max_memory_allocated() / 2**30:.2f} GiB" if torch.cuda.is_available() else "n/a (CPU)"


def last_mean(losses: list[float], k: int = 10) -> float:
    return sum(losses[-k:]) / len(losses[-k:])


class HeldAside:
    """Held-aside loss at step 0, every ``every`` steps and the last; evaluation seconds kept apart."""

    def __init__(self, held, pad_id: int, steps: int):
        self.held, self.pad_id, self.steps = held, pad_id, steps
        self.every = max(1, steps // EVALS)
        self.eval_s = 0.0
        self.at: dict[int, float] = {}  # step -> evaluation seconds spent in steps 1..step
        self.curve: list[dict] = []

    def __call__(self, model, step: int) -> None:
        if step == 0 or step % self.every == 0 or step == self.steps:
            t0 = time.perf_counter()
            self.curve.append({"step": step, "loss": heldout_loss(model, self.held, self.pad_id)})
            if step > 0:  # the step-0 evaluation happens before any clock starts
                self.eval_s += time.perf_counter() - t0
        self.at[step] = self.eval_s

    def first_at_or_below(self, target: float) -> dict | None:
        return first_at_or_below(self.curve, target)


def run_ours(profile, rows, tok, packing: bool, out: Path, held, batch_size: int = 0) -> dict:
    from torch.optim.optimizer import register_optimizer_step_post_hook

    p = apply_overrides(profile, [f"train.packing={str(packing).lower()}"] + ([f"train.batch_size={batch_size}"] if batch_size else []))
    t = p.train
    model = build_model(p.size(p.model.default_size), tok, t.seed)
    ha = HeldAside(held, tok.pad_token_id, t.max_steps)
    ha(model, 0)
    count = {"step": 0}

    def hook(optimizer, args, kwargs):  # runs inside the loop's timed step; its time is subtracted below
        count["step"] += 1
        ha(model, count["step"])

    handle = register_optimizer_step_post_hook(hook)
    peak_mem_reset()
    try:
        res = train_stage(p, "ecominstruct", out, model=model, tokenizer=tok, examples=rows, progress=False)
    finally:
        handle.remove()
    train_s = {h["step"]: h["seconds"] - ha.at[h["step"]] for h in res.history}
    for pt in ha.curve:
        pt["seconds"] = train_s.get(pt["step"], 0.0)
    h1, hN = res.history[0], res.history[-1]  # step 1 includes warm-up costs on both sides: excluded
    secs = train_s[hN["step"]] - train_s[h1["step"]]
    real = (hN["tokens_total"] - hN["tokens_padded"]) - (h1["tokens_total"] - h1["tokens_padded"])
    return {"tok/s": real / secs, "trained tok/s": (hN["tokens_trained"] - h1["tokens_trained"]) / secs,
            "pad frac": res.tokens["padded"] / res.tokens["total"], "peak mem": peak_mem(),
            "train seconds": train_s[hN["step"]], "train loss (last 10)": last_mean([x["loss"] for x in res.history]),
            "held-aside loss": ha.curve[-1]["loss"], "held": ha}


def run_hf(profile, rows, tok, out: Path, held) -> dict:
    from transformers import DataCollatorForSeq2Seq, Trainer, TrainerCallback, TrainingArguments

    t = profile.train
    feats = [{"input_ids": ids, "labels": [IGNORE] + tgt[:-1]} for ids, tgt in encode_instructions(rows, tok, t.max_length)]
    model = build_model(profile.size(profile.model.default_size), tok, t.seed)
    collator = DataCollatorForSeq2Seq(tok, padding="longest", label_pad_token_id=IGNORE)
    ha = HeldAside(held, tok.pad_token_id, t.max_steps)
    ha(model, 0)
    stats = {"real": 0, "total": 0, "trained": 0, "begin": None, "t1": None, "losses": [], "step": 0, "train_s": {}}

    def counting(batch):
        b = collator(batch)
        if stats["step"] >= 1:  # skip step 1, as for ours
            stats["real"] += int(b["attention_mask"].sum())
            stats["total"] += b["input_ids"].numel()
            stats["trained"] += int((b["labels"][:, 1:] != IGNORE).sum())
        return b

    class Clock(TrainerCallback):
        def on_train_begin(self, args, state, control, **kw):
            stats["begin"] = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            stats["step"] += 1
            now = time.perf_counter()
            ha(model, stats["step"])
            stats["train_s"][stats["step"]] = now - stats["begin"] - ha.at[stats["step"] - 1]

        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "loss" in logs:
                stats["losses"].append(float(logs["loss"]))

    args = TrainingArguments(
        output_dir=str(out), per_device_train_batch_size=t.batch_size, gradient_accumulation_steps=t.grad_accum,
        max_steps=t.max_steps, learning_rate=t.lr, lr_scheduler_type="cosine", warmup_steps=max(1, round(t.warmup_ratio * t.max_steps)),
        weight_decay=t.weight_decay, logging_steps=1, save_strategy="no", report_to="none", seed=t.seed,
        bf16=bool(t.bf16 and torch.cuda.is_available()), dataloader_num_workers=0, disable_tqdm=True,
        dataloader_pin_memory=torch.cuda.is_available(),
    )
    peak_mem_reset()
    Trainer(model=model, args=args, train_dataset=feats, data_collator=counting, callbacks=[Clock()]).train()
    for pt in ha.curve:
        pt["seconds"] = stats["train_s"].get(pt["step"], 0.0)
    last = stats["step"]
    secs = stats["train_s"][last] - stats["train_s"][1]
    # The collator of the step after the last timed one may have run already; counts are per batch seen.
    return {"tok/s": stats["real"] / secs, "trained tok/s": stats["trained"] / secs,
            "pad frac": 1 - stats["real"] / max(1, stats["total"]), "peak mem": peak_mem(),
            "train seconds": stats["train_s"][last], "train loss (last 10)": last_mean(stats["losses"]),
            "held-aside loss": ha.curve[-1]["loss"], "held": ha}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="smoke")
    ap.add_argument("--size", default=None)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--heldout", type=int, default=256, help="rows none of the runs trains on, for the equal-loss check")
    ap.add_argument("--packed-batch-size", type=int, default=0,
                    help="rows per packed micro-batch (default: the profile's train.batch_size, as for the others)")
    ap.add_argument("--data", type=Path, default=None, help="an EcomInstruct train.jsonl instead of fixture rows")
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    a = ap.parse_args()
    profile = load_profile(a.profile, [f"train.max_steps={a.steps}", "train.epochs=100", "train.save_every=0", *a.overrides])
    if a.size:
        profile = apply_overrides(profile, [f"model.default_size={a.size}"])
    if a.data:
        data = list(read_jsonl(a.data))
        random.Random(0).shuffle(data)  # builds are ordered by task; train and held-aside rows mix all tasks
        rows, held_rows = data[: a.rows], data[a.rows : a.rows + a.heldout]
    else:
        rows, held_rows = fixture_rows(a.rows), fixture_rows(a.heldout, seed=1)
    tok = train_tokenizer([r["prompt"] + r["output"] for r in rows], profile.tokenizer.vocab_size, 2)
    held = encode_instructions(held_rows, tok, profile.train.max_length)
    t = profile.train
    print(f"profile {profile.name}, model {profile.model.default_size} ({profile.size(profile.model.default_size)}), "
          f"{a.steps} steps of batch {t.batch_size} (packed: {a.packed_batch_size or t.batch_size}) x grad_accum {t.grad_accum}, "
          f"max_length {t.max_length}; {len(rows)} train rows, {len(held)} held-aside rows; torch threads {torch.get_num_threads()}")
    results = {}
    with tempfile.TemporaryDirectory() as d:
        results["ours packed"] = run_ours(profile, rows, tok, True, Path(d) / "packed", held, a.packed_batch_size)
        results["ours length-grouped"] = run_ours(profile, rows, tok, False, Path(d) / "grouped", held)
        results["HF Trainer (pad)"] = run_hf(profile, rows, tok, Path(d) / "hf", held)
    for name, r in results.items():
        print(f"[{name}] held-aside loss (step, train seconds, loss): "
              + "  ".join(f"({c['step']}, {c['seconds']:.2f}s, {c['loss']:.4f})" for c in r["held"].curve))
    cols = ["tok/s", "trained tok/s", "pad frac", "peak mem", "train seconds", "train loss (last 10)", "held-aside loss"]
    print(f"\n{'run':22s}" + "".join(f"{c:>21s}" for c in cols))
    for name, r in results.items():
        print(f"{name:22s}" + "".join(f"{r[c]:>21.3f}" if isinstance(r[c], float) else f"{r[c]:>21s}" for c in cols))
    hf = results["HF Trainer (pad)"]
    target = hf["held-aside loss"]
    hf_hit = hf["held"].first_at_or_below(target)
    print(f"\nequal loss: target = the HF Trainer's final held-aside loss {target:.4f}, which it first reaches at step "
          f"{hf_hit['step']} after {hf_hit['seconds']:.2f} s (interpolated {hf_hit['interp_seconds']:.2f} s)")
    speedup = {}
    for name in ("ours packed", "ours length-grouped"):
        h = results[name]["held"].first_at_or_below(target)
        if h is None:
            print(f"{name:22s} does not reach it in {a.steps} steps (final {results[name]['held-aside loss']:.4f})")
            continue
        speedup[name] = hf_hit["interp_seconds"] / h["interp_seconds"]
        print(f"{name:22s} reaches it at step {h['step']} after {h['seconds']:.2f} s (interpolated {h['interp_seconds']:.2f} s): "
              f"{speedup[name]:.2f}x the HF Trainer's speed to equal loss")
    default = "ours packed" if t.packing else "ours length-grouped"
    print(f"packed/length-grouped trained tok/s: {results['ours packed']['trained tok/s'] / results['ours length-grouped']['trained tok/s']:.2f}")
    print(f"ratio ours ({default.split()[-1]})/HF trained tok/s: {results[default]['trained tok/s'] / hf['trained tok/s']:.2f}")
    eq = f"{speedup[default]:.2f}x" if default in speedup else "n/a (target not reached)"
    print(f"equal-loss speed-up ours ({default.split()[-1]}) vs HF Trainer: {eq}")


if __name__ == "__main__":
    main()
