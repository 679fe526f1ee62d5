"""Raw documents for the BLOOM-like causal-LM stage, drawn only from *training* sources."""

from __future__ import annotations

import dataclasses
from typing import Iterator

from ecomlib.config import WorldConfig
from ecomlib.records import RawRecord
from ecomlib.world.sources import _lookup, _stream, list_sources


def document(rec: RawRecord) -> str:
    """A record as plain text: titles with their description, QA with the question, others as is."""
    if rec.kind == "product" and rec.labels.get("description"):
        return f"{rec.text}\n{rec.labels['description']}"
    if rec.kind == "qa":
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


def open_document(rec: RawRecord) -> str:
    """An open-data record as plain text: its text, with the question where the text does not hold it."""
    question = rec.labels.get("question") if rec.kind == "qa" else None
    return f"{rec.text}\n{question}" if question and question not in rec.text else rec.text


def open_pretrain_sources(data) -> list[str]:
    """The open sources pretraining may read: training sources only, never a held-out source (their
    records are the held-out suite) nor one with held-in tasks (its reserved records are test inputs)."""
    from ecomlib import sources
    from ecomlib.instruct.heldin import heldin_entries

    held_in = {entry.split(":", 1)[0] for entry in heldin_entries(data)}
    return [s.name for s in sources.list_sources() if not s.heldout and s.name not in held_in]


def _heldout_texts(data_dir) -> set[str]:
    """Normalised texts of every held-out open source's records (a training source may repeat one)."""
    from ecomlib import sources
    from ecomlib.text import normalise

    return {normalise(r.text) for s in sources.list_sources() if s.heldout
            for r in sources.iter_records(s.name, data_dir)}


def iter_open_pretrain_text(n: int, data_dir, names: list[str]) -> Iterator[str]:
    """``n`` raw documents from the open sources ``names`` (``ECOMLIB_DATA_DIR``), round-robin in file
    order (deterministic), skipping any record whose text is a held-out record's text; a source that runs
    out drops out, so fewer than ``n`` come only when every source is exhausted."""
    from ecomlib import sources
    from ecomlib.text import normalise

    if n <= 0 or not names:
        return
    blocked = _heldout_texts(data_dir)
    streams = [sources.iter_records(name, data_dir) for name in names]
    made = 0
    while streams and made < n:
        for it in list(streams):
            rec = next(it, None)
            if rec is None:
                streams.remove(it)
                continue
            if normalise(rec.text) in blocked:
                continue
            yield open_document(rec)
            made += 1
            if made >= n:
                return


def iter_profile_pretrain_text(profile) -> Iterator[str]:
    """The BLOOM-like stage's (and the tokenizer's) raw text for the profile's world: the synthetic world's
    documents, or the open sources' own record texts. The open world never reads synthetic text here."""
    if profile.data.world == "open":
        from ecomlib.datadir import data_dir

        yield from iter_open_pretrain_text(profile.world.pretrain_documents, data_dir(),
                                           open_pretrain_sources(profile.data))
    else:
        yield from iter_pretrain_text(profile.world, profile.seed)
