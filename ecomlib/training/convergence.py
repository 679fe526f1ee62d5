"""Training to convergence: a held-aside loss and the rule that stops a stage on it.

A stage with ``train.heldaside_fraction > 0`` sets a deterministic share of its rows (documents for
pretraining) aside before encoding, never trains on them, and measures the mean loss per trained token
on them ``train.evals_per_epoch`` times per epoch. The stage stops when that loss has not improved by
more than ``train.min_delta`` (relative) for ``train.patience`` evaluations in a row, or when its step
budget (``pretrain_steps`` / ``general_steps`` / ``epochs`` x ``max_steps``) is spent, and the weights
saved are those of the best evaluation. Why it stopped, where, and the whole curve are recorded in the
model's ``result.json`` (``stopping``) and its card.

Why a held-aside loss and not held-in scores: the loss is cheap (no generation) and needs no task
metric, so the same rule serves all three stages; held-in scores choose the hyperparameters that this
rule does not (lr, rows per task), and never held-out scores.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, field
from typing import Sequence

import torch
import torch.nn.functional as F

from ecomlib.seeding import stable_seed
from ecomlib.training.data import IGNORE, SEED_SEP, collate, plan_epoch

BEST_WEIGHTS = "best-heldaside.safetensors"  # in the stage's checkpoints/ folder until the final save


def _row_key(item) -> bytes:
    text = item if isinstance(item, str) else f"{item.get('task', '')}\x1f{item['prompt']}\x1f{item['output']}"
    return text.encode("utf-8")


def split_heldaside(items: Sequence, fraction: float, max_n: int, seed: int) -> tuple[list, list]:
    """``(train, aside)``: each item is set aside by a hash of its own content and the seed, so the split
    does not depend on the order or on the other items; at most ``max_n`` are set aside (the lowest
    hashes) and at least one is kept for training. ``fraction`` 0 sets nothing aside."""
    items = list(items)
    if fraction <= 0 or len(items) < 2:
        return items, []

    def u(item) -> float:
        h = hashlib.sha256(str(seed).encode() + b"\x00" + _row_key(item)).digest()
        return int.from_bytes(h[:8], "big") / 2**64

    scores = [u(x) for x in items]
    chosen = sorted((s, i) for i, s in enumerate(scores) if s < fraction)[:max_n]
    if not chosen:  # a tiny stage: still measure on one item
        chosen = [min((s, i) for i, s in enumerate(scores))]
    if len(chosen) >= len(items):
        chosen = chosen[: len(items) - 1]
    aside_idx = {i for _, i in chosen}
    return [x for i, x in enumerate(items) if i not in aside_idx], [items[i] for i in sorted(aside_idx)]


def stage_split(items: Sequence, train_cfg, stage: str) -> tuple[list, list]:
    """A stage's ``(train, aside)`` under the profile's rule: the one place the split is derived, so the
    loop and anything scoring the held-aside rows later (the BLOOMZ-like check) see the same rows."""

    return split_heldaside(items, train_cfg.heldaside_fraction, train_cfg.heldaside_max,
                           stable_seed(train_cfg.seed, stage, "heldaside", sep=SEED_SEP))


@torch.no_grad()
def heldaside_loss(model, examples, batch_size: int, max_length: int, pad_id: int, packing: bool, device,
                   autocast) -> float:
    """Mean cross-entropy per trained token over ``examples`` (``(ids, targets)`` pairs), in eval mode,
    batched as in training (same packing, so the number is comparable with the training loss).
    ``autocast`` makes a fresh autocast context per batch (accelerate's is single-use)."""
    was_training = model.training
    model.eval()
    total, n = 0.0, 0
    try:
        lengths = [len(ids) for ids, _ in examples]
        for rows in plan_epoch(lengths, batch_size, max_length, packing, seed=0, epoch=0):
            b = collate(rows, examples, pad_id, packing, pad_to=8)
            targets = b.targets.to(device)
            keep = targets != IGNORE
            with autocast():
                logits = model(input_ids=b.input_ids.to(device), attention_mask=b.mask_on(device),
                               logits_to_keep=keep, use_cache=False).logits
            total += float(F.cross_entropy(logits.float(), targets[keep], reduction="sum"))
            n += int(keep.sum())
    finally:
        model.train(was_training)
    return total / max(1, n)


@dataclass
class EarlyStopping:
    """Stop after ``patience`` evaluations without a relative improvement above ``min_delta``.

    Its whole state is plain data (saved in each checkpoint's ``state.json``), so a resumed stage stops
    where an uninterrupted one would."""

    patience: int
    min_delta: float
    every: int  # optimizer steps between evaluations
    n_heldaside: int
    best_loss: float = math.inf
    best_step: int = 0
    bad_evals: int = 0
    curve: list = field(default_factory=list)  # [step, epoch, loss] per evaluation
    reason: str = ""

    def due(self, step: int, last_step: int) -> bool:
        return step % self.every == 0 or step == last_step

    def update(self, step: int, epoch: float, loss: float) -> bool:
        """Record one evaluation; True when it is the best so far (its weights are the ones to keep)."""
        self.curve.append([step, round(epoch, 4), loss])
        if loss < self.best_loss * (1 - self.min_delta) or not math.isfinite(self.best_loss):
            self.best_loss, self.best_step, self.bad_evals = loss, step, 0
            return True
        self.bad_evals += 1
        return False

    @property
    def should_stop(self) -> bool:
        return self.patience > 0 and self.bad_evals >= self.patience

    def finish(self, step: int, budget: int) -> dict:
        if self.should_stop:
            self.reason = (f"held-aside loss did not improve by more than {self.min_delta:.2%} for {self.patience} "
                           f"evaluations (every {self.every} steps); stopped at step {step} of {budget}")
        else:
            self.reason = f"step budget spent ({budget} steps) before the held-aside loss stopped improving"
        return self.record(step, budget)

    def record(self, step: int, budget: int) -> dict:
        return {"rule": {"patience": self.patience, "min_delta": self.min_delta, "every_steps": self.every,
                         "n_heldaside": self.n_heldaside, "keeps": "the weights of the best evaluation"},
                "stopped_early": self.should_stop, "reason": self.reason, "stopped_at_step": step,
                "budget_steps": budget, "best_step": self.best_step, "best_heldaside_loss": self.best_loss,
                "curve": self.curve}

    def to_state(self) -> dict:
        return asdict(self)

    @classmethod
    def from_state(cls, d: dict) -> "EarlyStopping":
        return cls(**d)


def eval_interval(steps_per_epoch: int, evals_per_epoch: int) -> int:
    return max(1, math.ceil(steps_per_epoch / max(1, evals_per_epoch)))
