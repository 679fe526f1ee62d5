"""The model card (README.md) saved next to every trained model."""

from __future__ import annotations

from ecomlib.config import Profile

STAGE_ROLE = {
    "pretrain": "BLOOM-like: causal-LM pretraining on raw e-commerce text (loss on every token)",
    "general": "BLOOMZ-like: general (non-e-commerce) instruction tuning (loss on response tokens only)",
    "ecominstruct": "EcomGPT: instruction tuning on EcomInstruct (loss on response tokens only)",
}


def _stopping_line(stopping: dict | None) -> str:
    if not stopping:
        return "the step budget (no held-aside convergence rule: train.heldaside_fraction is 0)"
    return (f"{stopping['reason']}; weights of step {stopping['best_step']}, held-aside loss "
            f"{stopping['best_heldaside_loss']:.4f} on {stopping['rule']['n_heldaside']} rows never trained on")


def model_card(profile: Profile, stage: str, *, size: str, init: str, n_examples: int, steps: int, lr: float,
               final_loss: float, tokens: dict, seconds: float, n_params: int, world_size: int,
               distributed: str = "NO", stopping: dict | None = None) -> str:
    t = profile.train
    mode = "LoRA (r={}, alpha={}), merged into the saved weights".format(t.lora_r, t.lora_alpha) if t.lora else "full fine-tuning"
    batching = ("packed rows (block-diagonal attention, no attention across instances)" if t.packing
                else "length-grouped rows, right padding")
    return f"""---
library_name: transformers
tags: [bloom, ecomgpt-reproduction, {stage}]
---
# ecomlib {stage} model ({size})

{STAGE_ROLE[stage]}. Part of the open, small-scale reproduction of EcomGPT (arXiv 2308.06966).

## Data
- profile `{profile.name}`, world `{profile.data.world}`, {n_examples} training examples/chunks
- starts from: {init}

## Recipe
- {mode}; AdamW (weight decay {t.weight_decay}), cosine schedule, warm-up ratio {t.warmup_ratio}, peak lr {lr}
- {steps} optimizer steps; micro-batch {t.batch_size} rows x grad_accum {t.grad_accum} x {world_size} process(es) ({distributed})
- max length {t.max_length}; {batching}; {t.attention} attention; gradient clipping 1.0
- loss normalised over all trained tokens of each accumulated batch; seed {t.seed}
- parameters: {n_params:,}

## Result
- stopping: {_stopping_line(stopping)}
- final training loss: {final_loss:.4f}
- tokens: {tokens['total']:,} positions computed, {tokens['padded']:,} padding, {tokens['trained']:,} trained
- wall time: {seconds:.1f} s

Load with `AutoModelForCausalLM.from_pretrained(dir)` and `AutoTokenizer.from_pretrained(dir)`.
"""
