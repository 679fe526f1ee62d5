"""Batched, deterministic generation with a causal LM (left padding, length-sorted batches).

As the published ``src/eval.py``: prompts are left-truncated to ``max_prompt_tokens`` (the end, with
"### Response:", is kept), decoding is greedy (``num_beams=1``) or beam search (the paper: 4), no
sampling, and the answer is the text generated after the prompt up to the first EOS, special tokens
stripped. Prompts are sorted by token length so a batch wastes little padding; results come back in
input order. Batched output equals one-at-a-time output (tested on a tiny BLOOM).
"""

from __future__ import annotations

import os

import torch

from ecomlib.distributed import destroy_process_group_at_exit
from ecomlib.progress import tqdm  # bars in the terminal, one summary line in a notebook


def inference_dtype() -> torch.dtype:
    """bf16 on a GPU (7b1 with beam 4 is infeasible in fp32 on CPU), fp32 on CPU (bf16 matmuls are slow there)."""
    return torch.bfloat16 if torch.cuda.is_available() else torch.float32


def inference_device() -> torch.device:
    """This process's GPU (``LOCAL_RANK`` under ``accelerate launch``), else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")) % torch.cuda.device_count())
    return torch.device("cpu")


def place_for_inference(model):
    """``model`` on the accelerator in bf16 when there is one, else on CPU in fp32 (an fp16 checkpoint too)."""
    if not isinstance(model, torch.nn.Module):
        return model  # an API client
    return model.to(device=inference_device(), dtype=inference_dtype())


def _process_shard() -> tuple[int, int] | None:
    """(rank, world size) when launched with several processes (``accelerate launch``), else None."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return None
    from accelerate import PartialState  # deferred: accelerate, needed with several processes only

    state = PartialState(cpu=not torch.cuda.is_available())
    destroy_process_group_at_exit()
    return (state.process_index, state.num_processes) if state.num_processes > 1 else None


def _encode(tokenizer, prompts: list[str], max_prompt_tokens: int) -> list[list[int]]:
    ids = tokenizer(prompts, add_special_tokens=True)["input_ids"]
    return [list(x[-max_prompt_tokens:]) if len(x) > max_prompt_tokens else list(x) for x in ids]


@torch.inference_mode()
def generate(
    model,
    tokenizer,
    prompts: list[str],
    *,
    batch_size: int = 32,
    max_new_tokens: int = 64,
    num_beams: int = 1,
    max_prompt_tokens: int = 800,
    progress: bool = False,
    groups: list[str] | None = None,
) -> list[str]:
    """Answers for ``prompts`` (decoded, special tokens stripped), in input order.

    ``groups`` (e.g. each prompt's task) keeps a batch within one group: answers of one task have similar
    lengths, so a batch of short classification answers stops as soon as all of them end, instead of
    running to ``max_new_tokens`` beside a long NER answer. Outputs do not depend on the batching."""
    shard = _process_shard()
    if shard is not None and prompts:
        # Several processes: each answers every world-th prompt, then all of them get every answer (outputs
        # do not depend on the batching, so the result equals one process's).
        from accelerate.utils import gather_object  # deferred: accelerate, needed with several processes only

        rank, world = shard
        mine = list(range(rank, len(prompts), world))
        local = _generate(model, tokenizer, [prompts[i] for i in mine], batch_size, max_new_tokens, num_beams,
                          max_prompt_tokens, progress, None if groups is None else [groups[i] for i in mine])
        answers = [""] * len(prompts)
        for i, answer in gather_object(list(zip(mine, local))):
            answers[i] = answer
        return answers
    return _generate(model, tokenizer, prompts, batch_size, max_new_tokens, num_beams, max_prompt_tokens, progress, groups)


def _generate(model, tokenizer, prompts, batch_size, max_new_tokens, num_beams, max_prompt_tokens, progress, groups):
    if batch_size <= 0 or max_new_tokens <= 0 or num_beams <= 0 or max_prompt_tokens <= 0:
        raise ValueError("generate: batch_size, max_new_tokens, num_beams and max_prompt_tokens must be positive")
    if not prompts:
        return []
    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    if eos is None or pad is None:
        raise ValueError("generate: the tokenizer needs an eos_token (and a pad_token, or eos is used)")
    encoded = _encode(tokenizer, prompts, max_prompt_tokens)
    if any(len(e) == 0 for e in encoded):
        raise ValueError("generate: a prompt encodes to zero tokens")
    if groups is not None and len(groups) != len(prompts):
        raise ValueError(f"generate: {len(groups)} groups for {len(prompts)} prompts")
    group = groups or [""] * len(prompts)
    order = sorted(range(len(prompts)), key=lambda i: (group[i], -len(encoded[i]), i))
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    answers: list[str] = [""] * len(prompts)
    batches = []
    for k in range(0, len(order)):  # consecutive runs of one group, cut at batch_size
        i = order[k]
        if not batches or len(batches[-1]) == batch_size or group[batches[-1][0]] != group[i]:
            batches.append([])
        batches[-1].append(i)
    with tqdm(total=len(prompts), desc="generate", unit="row", disable=not progress) as bar:  # rows, not batches
        for batch in batches:
            width = max(len(encoded[i]) for i in batch)
            input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                seq = encoded[i]
                input_ids[row, width - len(seq) :] = torch.tensor(seq, dtype=torch.long)
                mask[row, width - len(seq) :] = 1
            out = model.generate(
                input_ids=input_ids.to(device),
                attention_mask=mask.to(device),
                max_new_tokens=max_new_tokens,
                num_beams=num_beams,
                do_sample=False,
                eos_token_id=eos,
                pad_token_id=pad,
            )
            for row, i in enumerate(batch):
                new = out[row, width:].tolist()
                if eos in new:
                    new = new[: new.index(eos)]
                answers[i] = tokenizer.decode(new, skip_special_tokens=True)
            bar.update(len(batch))
    if was_training:
        model.train()
    return answers
