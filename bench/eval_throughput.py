"""Batched vs one-at-a-time greedy generation on a held-out suite with a tiny random BLOOM.

Usage: python bench/eval_throughput.py [--data-dir BUILD_DIR] [--n 64] [--batch-size 32]
Without --data-dir the hand-written test fixture suite is used (its prompts repeated to --n).
Checks that both give identical outputs; prints the speed ratio last.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import BloomConfig, BloomForCausalLM, PreTrainedTokenizerFast

from ecomlib.evaluation import generate, load_suite

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "evaluation" / "fixtures" / "build"


def tiny_model(texts: list[str]):
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=500, special_tokens=["<pad>", "</s>", "<unk>"],
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    torch.manual_seed(0)
    cfg = BloomConfig(vocab_size=len(hf), hidden_size=64, n_layer=2, n_head=4,
                      pad_token_id=hf.pad_token_id, eos_token_id=hf.eos_token_id)
    return BloomForCausalLM(cfg).eval(), hf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, default=FIXTURE)
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-new-tokens", type=int, default=16)
    args = ap.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    prompts = [i.prompt for i in load_suite("synthetic", args.data_dir)]
    prompts = (prompts * (args.n // len(prompts) + 1))[: args.n]
    model, tok = tiny_model(prompts)
    kw = dict(max_new_tokens=args.max_new_tokens, num_beams=1, max_prompt_tokens=256)
    generate(model, tok, prompts[:2], batch_size=2, **kw)  # warm-up
    t0 = time.perf_counter()
    single = [generate(model, tok, [p], batch_size=1, **kw)[0] for p in prompts]
    t_single = time.perf_counter() - t0
    t0 = time.perf_counter()
    batched = generate(model, tok, prompts, batch_size=args.batch_size, **kw)
    t_batched = time.perf_counter() - t0
    same = batched == single
    print(f"prompts: {len(prompts)}  one-at-a-time: {t_single:.2f}s  batch {args.batch_size}: {t_batched:.2f}s")
    print(f"identical outputs: {same}")
    if not same:
        raise SystemExit("batched and one-at-a-time outputs differ")
    print(f"speed ratio (one-at-a-time / batched): {t_single / t_batched:.1f}x")


if __name__ == "__main__":
    main()
