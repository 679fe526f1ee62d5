"""Training data: encode examples once, plan micro-batches per epoch, collate them.

An encoded example is ``(ids, targets)``: ``targets[t]`` is the token position t must predict
(``ids[t+1]``) or -100 where no loss is taken. Targets are shifted *inside* each example, so packing
never asks one instance to predict the next one's first token.

Two batching modes (``train.packing``):
- packed: instances placed first-fit into rows of ``max_length``; a 4D block-diagonal causal mask, built
  on the device from per-position segment ids (``Batch.mask_on``), keeps
  them from attending to each other (see models.enable_packed_attention);
- length-grouped: one instance per row, rows of similar length batched together, right padding.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import random
from array import array
from dataclasses import dataclass
from typing import Sequence

import torch

from ecomlib.errors import DataError
from ecomlib.seeding import stable_seed

SEED_SEP = "/"  # training's seeds always joined their parts with '/': the pinned losses depend on it

IGNORE = -100
Example = tuple[list[int], list[int]]  # (ids, targets)


def _targets(ids: list[int], n_untrained: int) -> list[int]:
    """Targets when the first ``n_untrained`` tokens take no loss and the rest do (the only shape we train)."""
    k = max(n_untrained, 1)
    return [IGNORE] * (k - 1) + ids[k:] + [IGNORE]


class _TokenIdCache:
    """Token ids of texts already tokenised in this process, per tokenizer (by content).

    The study fine-tunes many arms of the same rows in one kernel (seeds, data subsets): each arm used to
    tokenise all of them again (~2-5 s per arm at the cpu profile). Ids are stored compactly (``array``) and
    the cache is dropped when a different tokenizer comes or it holds more than ``max_texts`` texts.
    """

    def __init__(self, max_texts: int = 400_000):
        self.max_texts = max_texts
        self.key: str | None = None
        self.ids: dict[str, array] = {}

    def token_ids(self, tokenizer, texts: Sequence[str]) -> list[list[int]]:
        key = _tokenizer_key(tokenizer)
        if key is None:  # not a fast tokenizer in its default state: no shortcut, no cache
            return tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        if key != self.key:
            self.key, self.ids = key, {}
        missing = list(dict.fromkeys(t for t in texts if t not in self.ids))
        if len(self.ids) + len(missing) > self.max_texts:
            self.ids = {}
            missing = list(dict.fromkeys(texts))
        if missing:
            backend = tokenizer.backend_tokenizer
            encode = getattr(backend, "encode_batch_fast", backend.encode_batch)
            for text, enc in zip(missing, encode(missing, add_special_tokens=False)):
                self.ids[text] = array("i", enc.ids)
        return [self.ids[t].tolist() for t in texts]


def _tokenizer_key(tokenizer) -> str | None:
    """What decides a fast tokenizer's ids for ``add_special_tokens=False``: its serialised pipeline and whether
    it splits special tokens. None when calling the backend directly could differ from ``tokenizer(...)``
    (a slow tokenizer, or truncation / padding configured on the backend)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None or backend.truncation is not None or backend.padding is not None:
        return None
    if backend.encode_special_tokens != bool(getattr(tokenizer, "split_special_tokens", False)):
        return None
    return hashlib.sha256(backend.to_str().encode("utf-8")).hexdigest() + str(backend.encode_special_tokens)


_TOKEN_IDS = _TokenIdCache()


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while building many small lists that hold no cycles: the collector
    would otherwise walk every object of the process again and again (~1/3 of the encoding time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def encode_instructions(rows: Sequence[dict], tokenizer, max_length: int, src: str = "examples") -> list[Example]:
    """prompt + output + EOS, loss on output + EOS only. Prompt and output are tokenized once each;
    an over-long prompt loses its start (the instruction's end and the response marker stay)."""
    for i, r in enumerate(rows):
        for key in ("prompt", "output"):
            if not isinstance(r.get(key), str):
                raise DataError(f"{src}, row {i + 1}, field {key!r}: expected a string, got {r.get(key)!r}")
    if not rows:
        return []
    with _gc_paused():
        return _encode_rows(rows, tokenizer, max_length)


def _encode_rows(rows: Sequence[dict], tokenizer, max_length: int) -> list[Example]:
    prompts = _TOKEN_IDS.token_ids(tokenizer, [r["prompt"] for r in rows])
    outputs = _TOKEN_IDS.token_ids(tokenizer, [r["output"] for r in rows])
    eos = tokenizer.eos_token_id
    out: list[Example] = []
    for p, o in zip(prompts, outputs):
        o = (o + [eos])[: max_length - 1]
        p = p[-(max_length - len(o)):] if p else p
        ids = p + o
        out.append((ids, _targets(ids, len(p))))
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
                out.append((chunk, _targets(chunk, 0)))
    return out


def plan_epoch(
    lengths: Sequence[int], batch_size: int, max_length: int, packing: bool, seed: int, epoch: int
) -> list[list[list[int]]]:
    """Micro-batches of rows of example indices for one epoch; a pure function of its arguments."""
    order = list(range(len(lengths)))
    rng = random.Random(stable_seed(seed, "epoch", epoch, sep=SEED_SEP))
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
    segments: torch.Tensor | None  # (B, L) packed: instance number 1, 2, ... per position, 0 = padding; else None
    pad_mask: torch.Tensor | None  # (B, L) 0/1 when not packed; else None
    n_total: int  # B*L positions computed
    n_padded: int
    n_trained: int
    attn_pairs: int = 0  # sum over instances of length^2: the causal attention work actually needed

    @property
    def attention_mask(self) -> torch.Tensor:
        """The model's mask, built where the batch lives: (B, L) 0/1, or (B, 1, L, L) additive when packed."""
        return self.pad_mask if self.segments is None else block_causal_mask(self.segments)

    def mask_on(self, device) -> torch.Tensor:
        """The mask on ``device``: only the (B, L) ids are copied; the L x L packed mask is built there."""
        if self.segments is None:
            return self.pad_mask.to(device, non_blocking=True)
        return block_causal_mask(self.segments.to(device, non_blocking=True))

    def pin_memory(self) -> "Batch":  # DataLoader(pin_memory=True): asynchronous host-to-device copies
        pin = lambda t: None if t is None else t.pin_memory()  # noqa: E731
        return Batch(pin(self.input_ids), pin(self.targets), pin(self.segments), pin(self.pad_mask),
                     self.n_total, self.n_padded, self.n_trained, self.attn_pairs)


def block_causal_mask(segments: torch.Tensor) -> torch.Tensor:
    """(B, L) segment ids -> (B, 1, L, L) additive fp32 mask: causal within each instance, nothing across
    instances; padding positions (id 0) attend only to themselves, so no softmax row is empty."""
    length = segments.shape[1]
    same = segments[:, :, None] == segments[:, None, :]
    causal = torch.ones(length, length, dtype=torch.bool, device=segments.device).tril()
    allowed = (same & causal & (segments[:, :, None] > 0)) | torch.eye(length, dtype=torch.bool, device=segments.device)
    mask = torch.zeros(allowed.shape, dtype=torch.float32, device=segments.device)
    return mask.masked_fill_(~allowed, torch.finfo(torch.float32).min)[:, None]


def collate(rows: list[list[int]], examples: Sequence[Example], pad_id: int, packing: bool, pad_to: int = 1) -> Batch:
    """One micro-batch; the row width is rounded up to a multiple of ``pad_to`` (8: tensor-core shapes)."""
    seqs = [[examples[i] for i in row] for row in rows]
    width = max(sum(len(ids) for ids, _ in row) for row in seqs)
    width = -(-width // pad_to) * pad_to
    B = len(rows)
    input_ids = torch.full((B, width), pad_id, dtype=torch.long)
    targets = torch.full((B, width), IGNORE, dtype=torch.long)
    marks = torch.zeros((B, width), dtype=torch.long)  # segment ids (packed) or the 0/1 mask
    n_real = 0
    for b, row in enumerate(seqs):
        pos = 0
        for k, (ids, tgt) in enumerate(row, start=1):
            n = len(ids)
            input_ids[b, pos : pos + n] = torch.tensor(ids)
            targets[b, pos : pos + n] = torch.tensor(tgt)
            marks[b, pos : pos + n] = k if packing else 1
            pos += n
        n_real += pos
    n_trained = int((targets != IGNORE).sum())
    pairs = sum(len(ids) ** 2 for row in seqs for ids, _ in row)
    segments, pad_mask = (marks, None) if packing else (None, marks)
    return Batch(input_ids, targets, segments, pad_mask, B * width, B * width - n_real, n_trained, pairs)


class MicroBatchStream:
    """Micro-batch k of an endless sequence of epochs; random access, so resuming is just an index."""

    def __init__(self, examples: Sequence[Example], batch_size: int, max_length: int, packing: bool, seed: int, pad_id: int,
                 pad_to: int = 1):
        if not examples:
            raise DataError("training data: no examples (expected at least one instance/document)")
        self.examples, self.batch_size, self.max_length = examples, batch_size, max_length
        self.packing, self.seed, self.pad_id, self.pad_to = packing, seed, pad_id, pad_to
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
        return collate(plan[i], self.examples, self.pad_id, self.packing, self.pad_to), epoch + (i + 1) / len(plan)


class ProcessMicroBatches(torch.utils.data.Dataset):
    """The micro-batches one process trains on, from optimizer step ``start``: item i is micro-batch
    ``i % grad_accum`` of step ``start + i // grad_accum`` (deterministic, so a DataLoader's worker
    can build the next step's batches while this one trains)."""

    def __init__(self, stream: MicroBatchStream, start: int, steps: int, grad_accum: int, rank: int, num_processes: int):
        self.stream, self.start, self.steps, self.grad_accum = stream, start, steps, grad_accum
        self.rank, self.num_processes = rank, num_processes

    def __len__(self) -> int:
        return max(0, self.steps - self.start) * self.grad_accum

    def __getitem__(self, i: int) -> tuple[Batch, float]:
        step, j = divmod(i, self.grad_accum)
        G = self.grad_accum * self.num_processes
        return self.stream.get((self.start + step) * G + self.rank * self.grad_accum + j)


def _as_is(item):
    return item


def micro_batch_loader(dataset: ProcessMicroBatches, cuda: bool) -> torch.utils.data.DataLoader:
    """On a GPU one worker builds batches ahead and pins them (the copy overlaps the step); on CPU the
    cores are busy training, so batches are built in the loop's process."""
    if not cuda:
        return torch.utils.data.DataLoader(dataset, batch_size=None, collate_fn=_as_is)
    return torch.utils.data.DataLoader(dataset, batch_size=None, collate_fn=_as_is, num_workers=1, pin_memory=True,
                                       prefetch_factor=2 * dataset.grad_accum)
