"""Shared by the bench scripts (imported as ``common``: ``python bench/X.py`` puts bench/ on sys.path)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ecomlib.training.data import IGNORE


@torch.no_grad()
def heldout_loss(model, encoded, pad_id: int, batch_size: int = 64) -> float:
    """Mean CE per trained token over ``encoded``: rows sorted by length, right-padded, 2D mask."""
    was_training = model.training
    model.eval()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
    total = n = 0.0
    for k in range(0, len(order), batch_size):
        rows = [encoded[i] for i in order[k : k + batch_size]]
        width = max(len(ids) for ids, _ in rows)
        ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
        tgt = torch.full((len(rows), width), IGNORE, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for b, (x, y) in enumerate(rows):
            ids[b, : len(x)] = torch.tensor(x)
            tgt[b, : len(y)] = torch.tensor(y)
            mask[b, : len(x)] = 1
        logits = model(input_ids=ids, attention_mask=mask).logits
        total += float(F.cross_entropy(logits.float().flatten(0, 1), tgt.flatten(), ignore_index=IGNORE, reduction="sum"))
        n += int((tgt != IGNORE).sum())
    if was_training:
        model.train()
    return total / max(1.0, n)


def first_at_or_below(curve: list[dict], target: float) -> dict | None:
    """First evaluated point with loss <= target, plus the time linearly interpolated from the one before."""
    for prev, pt in zip(curve, curve[1:]):
        if pt["loss"] <= target:
            f = (prev["loss"] - target) / (prev["loss"] - pt["loss"]) if prev["loss"] > pt["loss"] else 1.0
            return {**pt, "interp_seconds": prev["seconds"] + f * (pt["seconds"] - prev["seconds"])}
    return None
