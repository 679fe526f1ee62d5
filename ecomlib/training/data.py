"""Training data: encode examples once, plan micro-batches per epoch, collate them.

An encoded example is ``(ids, targets)``: ``targets[t]`` is the token position t must predict
(``ids[t+1]``) or -100 where no loss is taken. Targets are shifted *inside* each example, so packing
never asks one instance to predict the next one's first token.

Two batching modes (``train.packing``):
- packed: instances placed first-fit into rows of ``max_length``; a 4D block-diagonal causal mask keeps
  them from attending to each other (see models.enable_packed_attention);
- length-grouped: one instance per row, rows of similar length batched together, right padding.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Sequence

import torch

from ecomlib.errors import DataError

IGNORE = -100
Example = tuple[list[int], list[int]]  # (ids, targets)


def sub_seed(seed: int, *parts: object) -> int:
    """A stable derived seed (never Python's salted ``hash``)."""
    text = "/".join([str(seed), *map(str, parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _targets(ids: list[int], trained: list[bool]) -> list[int]:
    return [ids[t + 1] if trained[t + 1] else IGNORE for t in range(len(ids) - 1)] + [IGNORE]


def encode_instructions(rows: Sequence[dict], tokenizer, max_length: int, src: str = "examples") -> list[Example]:
    """prompt + output + EOS, loss on output + EOS only. Prompt and output are tokenized once each;
    an over-long prompt loses its start (the instruction's end and the response marker stay)."""
    for i, r in enumerate(rows):
        for key in ("prompt", "output"):
            if not isinstance(r.get(key), str):
                raise DataError(f"{src}, row {i + 1}, field {key!r}: expected a string, got {r.get(key)!r}")
    if not rows:
        return []
    prompts = tokenizer([r["prompt"] for r in rows], add_special_tokens=False)["input_ids"]
    outputs = tokenizer([r["output"] for r in rows], add_special_tokens=False)["input_ids"]
    eos = tokenizer.eos_token_id
    out: list[Example] = []
    for p, o in zip(prompts, outputs):
        o = (o + [eos])[: max_length - 1]
        p = p[-(max_length - len(o)):] if p else p
        ids = p + o
        out.append((ids, _targets(ids, [False] * len(p) + [True] * len(o))))
    return out


def encode_documents(texts: Sequence[str], tokenizer, max_length: int) -> list[Example]:
    """Causal-LM documents: text + EOS, split into chunks of ``max_length``, loss on every token."""
    if not texts:
        return []
    eos = tokenizer.eos_token_id
    out: list[Example] = []
    for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]:
        ids = ids + [eos]
        for start in range(0, len(ids), max_length):
            chunk = ids[start : start + max_length]
            if len(chunk) >= 2:
                out.append((chunk, _targets(chunk, [True] * len(chunk))))
    return out


def plan_epoch(
    lengths: Sequence[int], batch_size: int, max_length: int, packing: bool, seed: int, epoch: int
) -> list[list[list[int]]]:
    """Micro-batches of rows of example indices for one epoch; a pure function of its arguments."""
    order = list(range(len(lengths)))
    rng = random.Random(sub_seed(seed, "epoch", epoch))
    rng.shuffle(order)
    rows: list[list[int]] = []
    if packing:
        fill: list[int] = []
        window = 64  # first-fit over the most recent open rows: near-optimal fill, linear time
        for i in order:
            n = lengths[i]
            for r in range(max(0, len(rows) - window), len(rows)):
                if fill[r] + n <= max_length:
                    rows[r].append(i)
                    fill[r] += n
                    break
            else:
                rows.append([i])
                fill.append(n)
        batches = [rows[k : k + batch_size] for k in range(0, len(rows), batch_size)]
    else:
        # Length grouping: sort within chunks of 50 batches, then shuffle the batch order.
        chunk = batch_size * 50
        for k in range(0, len(order), chunk):
            rows.extend([i] for i in sorted(order[k : k + chunk], key=lambda i: lengths[i]))
        batches = [rows[k : k + batch_size] for k in range(0, len(rows), batch_size)]
        rng.shuffle(batches)
    return batches


@dataclass
class Batch:
    input_ids: torch.Tensor  # (B, L)
    targets: torch.Tensor  # (B, L), IGNORE where no loss
    attention_mask: torch.Tensor  # (B, L) 0/1, or (B, 1, L, L) additive float when packed
    n_total: int  # B*L positions computed
    n_padded: int
    n_trained: int
    attn_pairs: int = 0  # sum over instances of length^2: the causal attention work actually needed


def collate(rows: list[list[int]], examples: Sequence[Example], pad_id: int, packing: bool) -> Batch:
    seqs = [[examples[i] for i in row] for row in rows]
    width = max(sum(len(ids) for ids, _ in row) for row in seqs)
    B = len(rows)
    input_ids = torch.full((B, width), pad_id, dtype=torch.long)
    targets = torch.full((B, width), IGNORE, dtype=torch.long)
    if packing:
        neg = torch.finfo(torch.float32).min
        mask = torch.full((B, 1, width, width), neg, dtype=torch.float32)
        # Padding positions attend only to themselves, so no softmax row is empty.
        idx = torch.arange(width)
        mask[:, 0, idx, idx] = 0.0
    else:
        mask = torch.zeros((B, width), dtype=torch.long)
    n_real = 0
    for b, row in enumerate(seqs):
        pos = 0
        for ids, tgt in row:
            n = len(ids)
            input_ids[b, pos : pos + n] = torch.tensor(ids)
            targets[b, pos : pos + n] = torch.tensor(tgt)
            if packing:
                mask[b, 0, pos : pos + n, pos : pos + n] = torch.triu(torch.full((n, n), neg), diagonal=1)
            else:
                mask[b, pos : pos + n] = 1
            pos += n
        n_real += pos
    n_trained = int((targets != IGNORE).sum())
    pairs = sum(len(ids) ** 2 for row in seqs for ids, _ in row)
    return Batch(input_ids, targets, mask, B * width, B * width - n_real, n_trained, pairs)


class MicroBatchStream:
    """Micro-batch k of an endless sequence of epochs; random access, so resuming is just an index."""

    def __init__(self, examples: Sequence[Example], batch_size: int, max_length: int, packing: bool, seed: int, pad_id: int):
        if not examples:
            raise DataError("training data: no examples (expected at least one instance/document)")
        self.examples, self.batch_size, self.max_length = examples, batch_size, max_length
        self.packing, self.seed, self.pad_id = packing, seed, pad_id
        self._lengths = [len(ids) for ids, _ in examples]
        self._plan: tuple[int, list] | None = None  # only the current epoch's plan is kept
        self._counts: dict[int, int] = {}  # micro-batches per epoch

    def epoch_plan(self, epoch: int) -> list[list[list[int]]]:
        if self._plan is None or self._plan[0] != epoch:
            plan = plan_epoch(self._lengths, self.batch_size, self.max_length, self.packing, self.seed, epoch)
            self._plan = (epoch, plan)
            self._counts[epoch] = len(plan)
        return self._plan[1]

    def epoch_size(self, epoch: int) -> int:
        if epoch not in self._counts:
            self.epoch_plan(epoch)
        return self._counts[epoch]

    def locate(self, k: int) -> tuple[int, int]:
        """(epoch, index in epoch) of global micro-batch k."""
        epoch = 0
        while k >= self.epoch_size(epoch):
            k -= self.epoch_size(epoch)
            epoch += 1
        return epoch, k

    def get(self, k: int) -> tuple[Batch, float]:
        epoch, i = self.locate(k)
        plan = self.epoch_plan(epoch)
        return collate(plan[i], self.examples, self.pad_id, self.packing), epoch + (i + 1) / len(plan)
