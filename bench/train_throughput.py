"""Training throughput: our loop (packed, and length-grouped) vs the HF ``Trainer`` with its padding
collator (``DataCollatorForSeq2Seq``) and vs TRL's ``SFTTrainer`` with packing (if trl, a dev extra, is
installed), same model, init, data, global batch and number of steps, back to back.

    python bench/train_throughput.py [--profile smoke] [--size xs] [--steps 30] [--rows 2000] [--data train.jsonl]
                                     [--packed-batch-size N] [--trl-batch-size N]

Two measures, both printed:
- throughput: tokens/s (all real tokens and trained tokens), padding fraction, peak memory;
- equal loss: every ~steps/12 steps each run's loss on ``--heldout`` rows none of the runs trains on is
  measured (each row alone, the same function for every model; its time is kept out of the clocks).
  The target is the HF Trainer's final held-aside loss; for each other run the bench gives the training
  time to reach it (first evaluated point at or below, and linearly interpolated). A faster loop only
  counts if it also learns as much per second: batching changes what a step learns (a packed row holds
  several instances; a length-grouped batch holds similar, often same-task, rows).
The last lines: ours (the profile's mode)/HF trained tokens/s, then the equal-loss speed-up (HF time to
its final held-aside loss / our time to the same loss); with trl, the same two against TRL (TRL's time to
the HF Trainer's final held-aside loss / ours).

TRL arm: ``SFTTrainer(packing=True)`` with its default best-fit-decreasing packing, the same packed rows per
step as ours (``--trl-batch-size`` of them per micro-batch, gradient accumulation for the rest) and the same
trained tokens (the loop's encoding, passed pre-tokenized with labels). Its padding-free micro-batches
are one sequence with no mask; BLOOM has no varlen attention in transformers, so the instances of a
micro-batch attend to each other and its attention costs (rows x max_length)^2: ``--trl-batch-size 1``
keeps that to one packed row, at the cost of more, smaller forward passes.

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
from ecomlib.training.loop import MAX_GRAD_NORM
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


class TrainerStats:
    """Counts (from step 2 on, as for ours) and per-step training seconds of an HF-``Trainer``-based run:
    wrap its collator with ``collate`` and pass ``callback()``; held-aside evaluations are timed out."""

    def __init__(self, model, held: HeldAside):
        self.model, self.held = model, held
        self.real = self.total = self.trained = self.instances = self.batches = self.step = 0
        self.begin = 0.0
        self.losses: list[float] = []
        self.train_s: dict[int, float] = {}

    def collate(self, collator):
        def counting(batch):
            b = collator(batch)
            if self.step >= 1:
                mask = b.get("attention_mask")  # absent in TRL's padding-free batches: no pad positions there
                self.real += int(mask.sum()) if mask is not None else b["input_ids"].numel()
                self.total += b["input_ids"].numel()
                self.trained += int((b["labels"][:, 1:] != IGNORE).sum())
                pos = b.get("position_ids")  # padding-free: each instance restarts at position 0
                self.instances += int((pos == 0).sum()) if pos is not None else b["input_ids"].shape[0]
                self.batches += 1
            return b

        return counting

    def callback(self):
        from transformers import TrainerCallback

        stats = self

        class Clock(TrainerCallback):
            def on_train_begin(self, args, state, control, **kw):
                stats.begin = time.perf_counter()

            def on_step_end(self, args, state, control, **kw):
                stats.step += 1
                now = time.perf_counter()
                stats.held(stats.model, stats.step)
                stats.train_s[stats.step] = now - stats.begin - stats.held.at[stats.step - 1]

            def on_log(self, args, state, control, logs=None, **kw):
                if logs and "loss" in logs:
                    stats.losses.append(float(logs["loss"]))

        return Clock()

    def result(self, grad_accum: int) -> dict:
        for pt in self.held.curve:
            pt["seconds"] = self.train_s.get(pt["step"], 0.0)
        last = self.step
        secs = self.train_s[last] - self.train_s[1]
        # The collator of the step after the last timed one may have run already; counts are per batch seen.
        return {"tok/s": self.real / secs, "trained tok/s": self.trained / secs,
                "pad frac": 1 - self.real / max(1, self.total), "peak mem": peak_mem(),
                "train seconds": self.train_s[last], "train loss (last 10)": last_mean(self.losses),
                "held-aside loss": self.held.curve[-1]["loss"], "held": self.held,
                "instances/step": self.instances / max(1, self.batches) * grad_accum}


def trainer_args(t, out: Path, batch_size: int, grad_accum: int) -> dict:
    """TrainingArguments fields shared by the HF Trainer and TRL runs: the loop's schedule, clipping, seed."""
    return dict(
        output_dir=str(out), per_device_train_batch_size=batch_size, gradient_accumulation_steps=grad_accum,
        max_steps=t.max_steps, learning_rate=t.lr, lr_scheduler_type="cosine", warmup_steps=max(1, round(t.warmup_ratio * t.max_steps)),
        weight_decay=t.weight_decay, max_grad_norm=MAX_GRAD_NORM, logging_steps=1, save_strategy="no", report_to="none",
        seed=t.seed, bf16=bool(t.bf16 and torch.cuda.is_available()), activation_checkpointing=t.gradient_checkpointing,  # SFTConfig's default is on
        dataloader_num_workers=0, disable_tqdm=True, dataloader_pin_memory=torch.cuda.is_available(),
    )


def hf_features(rows, tok, max_length: int) -> list[dict]:
    """The loop's own encoding (prompt + output + EOS, loss on output + EOS), as unshifted HF labels."""
    return [{"input_ids": ids, "labels": [IGNORE] + tgt[:-1]} for ids, tgt in encode_instructions(rows, tok, max_length)]


def run_hf(profile, rows, tok, out: Path, held) -> dict:
    from transformers import DataCollatorForSeq2Seq, Trainer, TrainingArguments

    t = profile.train
    model = build_model(profile.size(profile.model.default_size), tok, t.seed)
    ha = HeldAside(held, tok.pad_token_id, t.max_steps)
    ha(model, 0)
    stats = TrainerStats(model, ha)
    collator = stats.collate(DataCollatorForSeq2Seq(tok, padding="longest", label_pad_token_id=IGNORE))
    args = TrainingArguments(**trainer_args(t, out, t.batch_size, t.grad_accum))
    peak_mem_reset()
    Trainer(model=model, args=args, train_dataset=hf_features(rows, tok, t.max_length), data_collator=collator,
            callbacks=[stats.callback()]).train()
    return stats.result(t.grad_accum)


def trl_version() -> str | None:
    """TRL is a dev-only dependency: the bench runs without it."""
    try:
        import trl
    except ImportError:
        return None
    return trl.__version__


def run_trl(profile, rows, tok, out: Path, held, rows_per_step: int, batch_size: int) -> dict:
    """TRL's ``SFTTrainer`` with its default packing (best-fit decreasing, padding-free batches).

    The rows are the loop's own encoding, passed pre-tokenized with labels (a format SFTTrainer takes as is):
    the same response tokens train as in every other run. TRL's prompt/completion format would train the
    same completions, but under packing it truncates an over-long row's end (the response) instead of its
    prompt's start, and tokenizes prompt + completion jointly."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    t = profile.train
    model = build_model(profile.size(profile.model.default_size), tok, t.seed)
    ha = HeldAside(held, tok.pad_token_id, t.max_steps)
    ha(model, 0)
    stats = TrainerStats(model, ha)
    feats = hf_features(rows, tok, t.max_length)
    data = Dataset.from_dict({"input_ids": [f["input_ids"] for f in feats], "labels": [f["labels"] for f in feats]})
    grad_accum = rows_per_step // batch_size
    args = SFTConfig(**trainer_args(t, out, batch_size, grad_accum), max_length=t.max_length, packing=True,
                     completion_only_loss=True, dataset_num_proc=None)
    trainer = SFTTrainer(model=model, args=args, train_dataset=data, processing_class=tok, callbacks=[stats.callback()])
    trainer.data_collator = stats.collate(trainer.data_collator)  # TRL refuses a custom collator with padding-free
    peak_mem_reset()
    trainer.train()
    return stats.result(grad_accum)


def packed_batch_sizes(a, t) -> tuple[int, int]:
    """Packed rows per micro-batch for ours and for TRL; TRL's gradient accumulation makes up the rest of a step."""
    packed_bs = a.packed_batch_size or t.batch_size
    trl_bs = a.trl_batch_size or packed_bs
    if a.trl_batch_size < 0 or (packed_bs * t.grad_accum) % trl_bs:
        raise SystemExit(f"--trl-batch-size {a.trl_batch_size}: expected a divisor of the packed rows per step "
                         f"({packed_bs} x grad_accum {t.grad_accum} = {packed_bs * t.grad_accum})")
    return packed_bs, trl_bs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="smoke")
    ap.add_argument("--size", default=None)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--heldout", type=int, default=256, help="rows none of the runs trains on, for the equal-loss check")
    ap.add_argument("--packed-batch-size", type=int, default=0,
                    help="rows per packed micro-batch (default: the profile's train.batch_size, as for the others)")
    ap.add_argument("--trl-batch-size", type=int, default=0,
                    help="packed rows per TRL micro-batch (default: as ours packed); its gradient accumulation keeps "
                         "the packed rows per step equal to ours")
    ap.add_argument("--data", type=Path, default=None, help="an EcomInstruct train.jsonl instead of fixture rows")
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    a = ap.parse_args()
    profile = load_profile(a.profile, [f"train.max_steps={a.steps}", "train.epochs=100", "train.save_every=0", *a.overrides])
    if a.size:
        profile = apply_overrides(profile, [f"model.default_size={a.size}"])
    packed_bs, trl_bs = packed_batch_sizes(a, profile.train)
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
          f"{a.steps} steps of batch {t.batch_size} (packed: {packed_bs}; TRL: {trl_bs} x grad_accum {packed_bs * t.grad_accum // trl_bs}) x grad_accum {t.grad_accum}, "
          f"max_length {t.max_length}; {len(rows)} train rows, {len(held)} held-aside rows; torch threads {torch.get_num_threads()}")
    results = {}
    with tempfile.TemporaryDirectory() as d:
        results["ours packed"] = run_ours(profile, rows, tok, True, Path(d) / "packed", held, a.packed_batch_size)
        results["ours length-grouped"] = run_ours(profile, rows, tok, False, Path(d) / "grouped", held)
        results["HF Trainer (pad)"] = run_hf(profile, rows, tok, Path(d) / "hf", held)
        trl = trl_version()
        if trl:
            results["TRL SFT (packed)"] = run_trl(profile, rows, tok, Path(d) / "trl", held, packed_bs * t.grad_accum, trl_bs)
    if trl:
        # BLOOM has no varlen (flash) attention in transformers: a padding-free micro-batch is one row of all its
        # packed rows, with no mask, so its instances attend to each other (ALiBi over the whole row).
        print(f"TRL {trl}: SFTTrainer(packing=True): best-fit-decreasing packing (its default), padding-free micro-batches "
              f"of {trl_bs} packed rows as one sequence; {results['TRL SFT (packed)']['instances/step']:.1f} instances/step")
    else:
        print("trl not installed: the TRL SFTTrainer arm is skipped (pip install -e '.[dev]')")
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
    for name in [n for n in results if n != "HF Trainer (pad)"]:
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
    if trl:
        print_vs_trl(results, default, speedup)


def print_vs_trl(results: dict, default: str, speedup: dict) -> None:
    """The last lines: ours/TRL trained tok/s, and TRL's time to the HF Trainer's final held-aside loss over ours."""
    ours, trl = results[default], results["TRL SFT (packed)"]
    mode = default.split()[-1]
    print(f"ratio ours ({mode})/TRL trained tok/s: {ours['trained tok/s'] / trl['trained tok/s']:.2f}")
    if default in speedup and "TRL SFT (packed)" in speedup:
        eq = f"{speedup[default] / speedup['TRL SFT (packed)']:.2f}x"
    else:
        eq = "n/a (target not reached by " + ("TRL" if default in speedup else "ours") + ")"
    print(f"equal-loss speed-up ours ({mode}) vs TRL SFTTrainer (to the HF Trainer's final loss): {eq}")


if __name__ == "__main__":
    main()
