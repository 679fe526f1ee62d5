"""Training throughput: our loop (packed, and length-grouped) vs the HF ``Trainer`` with its padding
collator (``DataCollatorForSeq2Seq``), same model, data, global batch and number of steps, back to back.

    python bench/train_throughput.py [--profile smoke] [--size xs] [--steps 30] [--rows 2000]

Prints tokens/s (all real tokens and trained tokens), padding fraction, peak memory, the mean training
loss of the last 10 steps, and the loss on ``--heldout`` rows none of the runs trains on (each row alone,
the same measure for all three models), then the ratio ours(default mode)/HF trained tokens/s last.
The held-aside loss is the equal-loss check: a faster loop only counts if it learns as much per step.
Data: the EcomInstruct-shaped fixture rows below (no downloads); pass --data train.jsonl to use a real
build (shuffled with a fixed seed: the first --rows rows train, the next --heldout are held aside).

Where the speed comes from is measured step by step in ``bench/train_step_breakdown.py``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM

from common import heldout_loss  # bench/common.py
from ecomlib.config import apply_overrides, load_profile
from ecomlib.io import read_jsonl
from ecomlib.schema import PROMPT_END
from ecomlib.training import build_model, train_stage, train_tokenizer
from ecomlib.training.data import IGNORE, encode_instructions

WORDS = "phone case battery screen charger cable red blue cheap fast slow great bad delivery price 手机 耳机 蓝色 音质 很好".split()


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


def run_ours(profile, rows, tok, packing: bool, out: Path, held) -> dict:
    p = apply_overrides(profile, [f"train.packing={str(packing).lower()}"])
    peak_mem_reset()
    res = train_stage(p, "ecominstruct", out, tokenizer=tok, examples=rows, progress=False)
    h = res.history[1:]  # step 1 includes warm-up costs on both sides
    real = (h[-1]["tokens_total"] - h[-1]["tokens_padded"]) - (res.history[0]["tokens_total"] - res.history[0]["tokens_padded"])
    trained = h[-1]["tokens_trained"] - res.history[0]["tokens_trained"]
    secs = h[-1]["seconds"] - res.history[0]["seconds"]
    return {"tok/s": real / secs, "trained tok/s": trained / secs, "pad frac": res.tokens["padded"] / res.tokens["total"],
            "peak mem": peak_mem(), "train loss (last 10)": last_mean([x["loss"] for x in res.history]),
            "held-aside loss": heldout_loss(AutoModelForCausalLM.from_pretrained(res.out_dir), held, tok.pad_token_id)}


def run_hf(profile, rows, tok, out: Path, held) -> dict:
    from transformers import DataCollatorForSeq2Seq, Trainer, TrainerCallback, TrainingArguments

    t = profile.train
    feats = [{"input_ids": ids, "labels": [IGNORE] + tgt[:-1]} for ids, tgt in encode_instructions(rows, tok, t.max_length)]
    model = build_model(profile.size(profile.model.default_size), tok, t.seed)
    collator = DataCollatorForSeq2Seq(tok, padding="longest", label_pad_token_id=IGNORE)
    stats = {"real": 0, "total": 0, "trained": 0, "t0": None, "t1": None, "losses": [], "step": 0}

    def counting(batch):
        b = collator(batch)
        if stats["t0"] is not None:  # skip step 1, as for ours
            stats["real"] += int(b["attention_mask"].sum())
            stats["total"] += b["input_ids"].numel()
            stats["trained"] += int((b["labels"][:, 1:] != IGNORE).sum())
        return b

    class Clock(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            stats["step"] += 1
            if stats["step"] == 1:
                stats["t0"] = time.perf_counter()
            stats["t1"] = time.perf_counter()

        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "loss" in logs:
                stats["losses"].append(float(logs["loss"]))

    args = TrainingArguments(
        output_dir=str(out), per_device_train_batch_size=t.batch_size, gradient_accumulation_steps=t.grad_accum,
        max_steps=t.max_steps, learning_rate=t.lr, lr_scheduler_type="cosine", warmup_steps=max(1, round(t.warmup_ratio * t.max_steps)),
        weight_decay=t.weight_decay, logging_steps=1, save_strategy="no", report_to="none", seed=t.seed,
        bf16=bool(t.bf16 and torch.cuda.is_available()), dataloader_num_workers=0, disable_tqdm=True,
    )
    peak_mem_reset()
    Trainer(model=model, args=args, train_dataset=feats, data_collator=counting, callbacks=[Clock()]).train()
    secs = stats["t1"] - stats["t0"]
    # The collator of the step after the last timed one may have run already; counts are per batch seen.
    return {"tok/s": stats["real"] / secs, "trained tok/s": stats["trained"] / secs,
            "pad frac": 1 - stats["real"] / max(1, stats["total"]), "peak mem": peak_mem(),
            "train loss (last 10)": last_mean(stats["losses"]), "held-aside loss": heldout_loss(model, held, tok.pad_token_id)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="smoke")
    ap.add_argument("--size", default=None)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--heldout", type=int, default=256, help="rows none of the runs trains on, for the equal-loss check")
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
    print(f"profile {profile.name}, model {profile.model.default_size} ({profile.size(profile.model.default_size)}), "
          f"{a.steps} steps of batch {profile.train.batch_size} x grad_accum {profile.train.grad_accum}, max_length "
          f"{profile.train.max_length}; {len(rows)} train rows, {len(held)} held-aside rows; torch threads {torch.get_num_threads()}")
    results = {}
    with tempfile.TemporaryDirectory() as d:
        results["ours packed"] = run_ours(profile, rows, tok, True, Path(d) / "packed", held)
        results["ours length-grouped"] = run_ours(profile, rows, tok, False, Path(d) / "grouped", held)
        results["HF Trainer (pad)"] = run_hf(profile, rows, tok, Path(d) / "hf", held)
    cols = ["tok/s", "trained tok/s", "pad frac", "peak mem", "train loss (last 10)", "held-aside loss"]
    print(f"{'run':22s}" + "".join(f"{c:>22s}" for c in cols))
    for name, r in results.items():
        print(f"{name:22s}" + "".join(f"{r[c]:>22.3f}" if isinstance(r[c], float) else f"{r[c]:>22s}" for c in cols))
    default = "ours packed" if profile.train.packing else "ours length-grouped"
    hf = results["HF Trainer (pad)"]["held-aside loss"]
    print(f"held-aside loss after {a.steps} steps, ours ({default.split()[-1]}) - HF: {results[default]['held-aside loss'] - hf:+.3f} "
          f"(negative: ours learned more per step)")
    print(f"packed/length-grouped trained tok/s: {results['ours packed']['trained tok/s'] / results['ours length-grouped']['trained tok/s']:.2f}")
    print(f"ratio ours ({default.split()[-1]})/HF trained tok/s: {results[default]['trained tok/s'] / results['HF Trainer (pad)']['trained tok/s']:.2f}")


if __name__ == "__main__":
    main()
