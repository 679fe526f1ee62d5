"""Where our training step's speed comes from: each optimisation of ``ecomlib.training.loop`` switched on
in turn, on the same model, micro-batches and seed, back to back in one process.

    python bench/train_step_breakdown.py [--profile cpu] [--size s] [--steps 40] [--rows 2000] [--data train.jsonl]

Configurations (cumulative):
  stock            full logits at every position + CE with ignore_index, Bloom's own GeLU, for-loop AdamW
                   (what a plain HF-style loop does)
  +response logits  ``logits_to_keep``: vocabulary projection only at the trained (response) positions
  +fused GeLU       torch's one-kernel tanh-GeLU instead of Bloom's composed one (enable_fused_gelu)
  +fused AdamW      ``AdamW(fused=True)``: one kernel for all parameters (= the loop's default step)
  +SDPA attention   ``train.attention: sdpa``: torch's fused attention with ALiBi + mask as one bias
All on the profile's own batches (``train.packing``: packed rows, else length-grouped). Then batching,
with the full step: random batches of as many instances per step, one per row (the HF Trainer's sampler,
padded to the longest row), vs the profile's batches, compared per trained token.

Each configuration runs ``--steps`` steps (first 5 excluded as warm-up) ``--repeats`` times, interleaved
(A B C D A B C D ...) so drifting machine load hits all alike; the table gives the median ms/step. The
losses of step 1..steps are printed for each configuration: the optimisations must not change them
beyond float rounding (checked: max |difference| vs stock). Ratio to stock last.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from ecomlib.config import load_profile
from ecomlib.io import read_jsonl
from ecomlib.training import build_model, enable_fused_gelu, enable_packed_attention, enable_sdpa_attention, train_tokenizer
from ecomlib.training.data import IGNORE, MicroBatchStream, collate, encode_instructions

from train_throughput import fixture_rows  # bench/train_throughput.py

CONFIGS = {  # name: (response-only logits, fused GeLU, fused AdamW, SDPA attention)
    "stock": (False, False, False, False),
    "+response logits": (True, False, False, False),
    "+fused GeLU": (True, True, False, False),
    "+fused AdamW": (True, True, True, False),
    "+SDPA attention": (True, True, True, True),
}


def run(batches, size, tok, seed: int, keep_only: bool, gelu: bool, fused: bool, sdpa: bool, lr: float) -> tuple[list[float], list[float]]:
    model = build_model(size, tok, seed).train()
    if batches[0].attention_mask.ndim == 4:  # packed rows
        enable_packed_attention(model)
    if gelu:
        enable_fused_gelu(model)
    if sdpa:
        enable_sdpa_attention(model)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, fused=fused or None)
    times, losses = [], []
    for b in batches:
        t0 = time.perf_counter()
        if keep_only:
            keep = b.targets != IGNORE
            logits = model(input_ids=b.input_ids, attention_mask=b.attention_mask, logits_to_keep=keep, use_cache=False).logits
            ce = F.cross_entropy(logits, b.targets[keep], reduction="sum")
        else:
            logits = model(input_ids=b.input_ids, attention_mask=b.attention_mask).logits
            ce = F.cross_entropy(logits.flatten(0, 1), b.targets.flatten(), ignore_index=IGNORE, reduction="sum")
        (ce / b.n_trained).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        losses.append(float(ce.detach()) / b.n_trained)
        times.append(time.perf_counter() - t0)
    return times, losses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--size", default="s")
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--data", type=Path, default=None, help="an EcomInstruct train.jsonl instead of fixture rows")
    a = ap.parse_args()
    p = load_profile(a.profile, [f"model.default_size={a.size}"])
    t = p.train
    if a.data:
        rows = list(read_jsonl(a.data))
        random.Random(0).shuffle(rows)
        rows = rows[: a.rows]
    else:
        rows = fixture_rows(a.rows)
    tok = train_tokenizer([r["prompt"] + r["output"] for r in rows], p.tokenizer.vocab_size, 2)
    enc = encode_instructions(rows, tok, t.max_length)
    stream = MicroBatchStream(enc, t.batch_size, t.max_length, t.packing, t.seed, tok.pad_token_id)
    batches = [stream.get(k)[0] for k in range(a.steps)]
    mode = "packed" if t.packing else "length-grouped"
    per_step = round(sum(len(row) for mb in stream.epoch_plan(0) for row in mb) / stream.epoch_size(0))  # instances per micro-batch
    rng = random.Random(t.seed)
    rand = [collate([[i] for i in rng.sample(range(len(enc)), per_step)], enc, tok.pad_token_id, False) for _ in range(a.steps)]
    size = p.size(a.size)
    print(f"profile {p.name}, model {a.size} ({size}), {mode} batches of {t.batch_size} rows (~{per_step} instances; random "
          f"batches: {per_step} rows), {a.steps} steps x {a.repeats} repeats, torch threads {torch.get_num_threads()}")

    warm = 5
    ms: dict[str, list[float]] = {name: [] for name in [*CONFIGS, "random batches (full step)"]}
    losses: dict[str, list[float]] = {}
    tokens = {mode: sum(b.n_trained for b in batches[warm:]), "random": sum(b.n_trained for b in rand[warm:])}
    for _ in range(a.repeats):
        for name, flags in CONFIGS.items():
            times, losses[name] = run(batches, size, tok, t.seed, *flags, t.lr)
            ms[name].append(1000 * sum(times[warm:]))
        times, _ = run(rand, size, tok, t.seed, *CONFIGS["+fused AdamW"], t.lr)
        ms["random batches (full step)"].append(1000 * sum(times[warm:]))

    n = a.steps - warm
    med = {name: statistics.median(v) for name, v in ms.items()}
    print(f"\n{'configuration':30s}{'ms/step (median)':>18s}{'vs stock':>10s}{'max |loss - stock|':>20s}")
    for name in CONFIGS:
        diff = max(abs(x - y) for x, y in zip(losses[name], losses["stock"]))
        print(f"{name:30s}{med[name] / n:>18.2f}{med['stock'] / med[name]:>9.2f}x{diff:>20.2e}")
    full = med["+fused AdamW"]
    print(f"\nper 1000 trained tokens, full step: {mode} {full / tokens[mode] * 1000:.2f} ms, "
          f"random batches {med['random batches (full step)'] / tokens['random'] * 1000:.2f} ms "
          f"(padding: {1 - sum(b.n_total - b.n_padded for b in batches) / sum(b.n_total for b in batches):.3f} vs "
          f"{1 - sum(b.n_total - b.n_padded for b in rand) / sum(b.n_total for b in rand):.3f})")
    grouping = (med["random batches (full step)"] / tokens["random"]) / (full / tokens[mode])
    print(f"{mode} vs random batches, trained tokens/s: {grouping:.2f}x")
    print(f"SDPA vs eager attention (train.attention, full step): {full / med['+SDPA attention']:.2f}x")
    print(f"full step vs stock step (same batches): {med['stock'] / full:.2f}x")


if __name__ == "__main__":
    main()
