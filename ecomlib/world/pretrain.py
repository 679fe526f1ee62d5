"""Raw documents of the synthetic world for the BLOOM-like causal-LM stage, drawn only from *training*
sources. The profile-level choice between this and the open sources' text is ``ecomlib.instruct.pretrain_text``."""

from __future__ import annotations

import dataclasses
from typing import Iterator

from ecomlib.config import WorldConfig
from ecomlib.recordtypes import RawRecord
from ecomlib.world.sources import _lookup, _stream, list_sources


def document(rec: RawRecord) -> str:
    """A record as plain text: titles with their description, QA with the question, others as is."""
    if rec.data_type == "product" and rec.labels.get("description"):
        return f"{rec.text}\n{rec.labels['description']}"
    if rec.data_type == "qa":
        return f"{rec.text}\n{rec.labels['question']}"
    return rec.text


def iter_pretrain_text(cfg: WorldConfig, seed: int) -> Iterator[str]:
    """``cfg.pretrain_documents`` documents, round-robin over the training sources (never held-out ones).

    Records come from a stream of their own over the same catalog, so pretraining text describes the
    same world without being the very records that later become instruction data.
    """
    n = cfg.pretrain_documents
    names = [s.name for s in list_sources() if not s.heldout]
    if n <= 0:
        return
    per = -(-n // len(names))
    sub = dataclasses.replace(cfg, records_per_source=per)
    streams = [_stream(*_lookup(name), sub, seed, stream="pretrain") for name in names]
    made = 0
    while made < n:
        for it in streams:
            if made >= n:
                return
            yield document(next(it))
            made += 1
