"""Tokenising a fine-tune's rows: the code before the token-id cache against the cached code, same process.

    python bench/encode_rows.py --data .work/cpu/data/<key>/ecominstruct/train.jsonl --tokenizer .work/cpu/tokenizer/<key>

Why: every EcomGPT fine-tune tokenised all its rows again (~5 s per stage for 34,189 rows at the cpu profile,
bench/finetune_overhead.py), 39 times in a cold study, although most arms share their rows. Now the ids of
each text are kept per tokenizer in the process (``ecomlib.training.data._TokenIdCache``) and the backend is
called directly. Timed here, each the median of ``--repeats`` runs: the previous code (``tokenizer(...)``
and a per-position mask, inlined below as the baseline), the new code with an empty cache (the first arm of
a kernel), with a warm cache (every later arm on the same rows), and on a half of the rows (a data-per-task
arm). Checks that all four give the same examples.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path


def previous_encode(rows, tok, max_length):
    """encode_instructions before the cache (b5f184a), inlined: the baseline."""
    from ecomlib.training.data import IGNORE

    prompts = tok([r["prompt"] for r in rows], add_special_tokens=False)["input_ids"]
    outputs = tok([r["output"] for r in rows], add_special_tokens=False)["input_ids"]
    out = []
    for p, o in zip(prompts, outputs):
        o = (o + [tok.eos_token_id])[: max_length - 1]
        p = p[-(max_length - len(o)):] if p else p
        ids, trained = p + o, [False] * len(p) + [True] * len(o)
        out.append((ids, [ids[t + 1] if trained[t + 1] else IGNORE for t in range(len(ids) - 1)] + [IGNORE]))
    return out


def timed(fn, repeats: int, before=lambda: None):
    runs = []
    for _ in range(repeats):
        before()
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="a train.jsonl of the study's data stage")
    ap.add_argument("--tokenizer", type=Path, required=True, help="the study's tokenizer folder")
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)

    from ecomlib.training import data
    from ecomlib.training.tokenizer import load_tokenizer

    tok = load_tokenizer(args.tokenizer)
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines()]
    half = rows[::2]
    m = args.max_length
    print(f"{len(rows)} rows, max_length {m}, median of {args.repeats} runs each")
    base, want = timed(lambda: previous_encode(rows, tok, m), args.repeats)
    cold, got_cold = timed(lambda: data.encode_instructions(rows, tok, m), args.repeats, data._TOKEN_IDS.__init__)
    warm, got_warm = timed(lambda: data.encode_instructions(rows, tok, m), args.repeats)
    sub, got_half = timed(lambda: data.encode_instructions(half, tok, m), args.repeats)
    same = got_cold == want and got_warm == want and got_half == want[::2]
    print(f"{'code':<40}{'seconds':>10}{'vs previous':>14}")
    print(f"{'previous (tokenizer call, mask)':<40}{base:>10.2f}{1.0:>13.2f}x")
    for name, sec in (("cached, cold (first arm)", cold), ("cached, warm (same rows)", warm),
                      ("cached, warm (half of the rows)", sub)):
        print(f"{name:<40}{sec:>10.2f}{base / sec:>13.2f}x")
    print(f"identical examples: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
