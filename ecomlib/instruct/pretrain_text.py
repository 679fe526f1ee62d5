"""The profile's pretraining text: the synthetic world's documents, or the open sources' raw record texts
minus every held-out record and every source with held-in tasks.

It lives in ``instruct`` because choosing the open sources needs the held-in split (``instruct.heldin``);
``world`` keeps only the synthetic generator. May import the leaf modules, ``sources``, ``world`` and
``instruct.heldin``; training receives these texts from its caller and never imports this module.
"""

from __future__ import annotations

from typing import Iterator

from ecomlib import datadir, sources
from ecomlib.instruct.heldin import heldin_entries
from ecomlib.recordtypes import RawRecord
from ecomlib.text import normalise
from ecomlib.world.pretrain import iter_pretrain_text


def open_document(rec: RawRecord) -> str:
    """An open-data record as plain text: its text, with the question where the text does not hold it."""
    question = rec.labels.get("question") if rec.data_type == "qa" else None
    return f"{rec.text}\n{question}" if question and question not in rec.text else rec.text


def open_pretrain_sources(data) -> list[str]:
    """The open sources pretraining may read: training sources only, never a held-out source (their
    records are the held-out suite) nor one with held-in tasks (its reserved records are test inputs)."""
    held_in = {entry.split(":", 1)[0] for entry in heldin_entries(data)}
    return [s.name for s in sources.list_sources() if not s.heldout and s.name not in held_in]


def _heldout_texts(data_dir) -> set[str]:
    """Normalised texts of every held-out open source's records (a training source may repeat one)."""
    return {normalise(r.text) for s in sources.list_sources() if s.heldout
            for r in sources.iter_records(s.name, data_dir)}


def iter_open_pretrain_text(n: int, data_dir, names: list[str]) -> Iterator[str]:
    """``n`` raw documents from the open sources ``names`` (``ECOMLIB_DATA_DIR``), round-robin in file
    order (deterministic), skipping any record whose text is a held-out record's text; a source that runs
    out drops out, so fewer than ``n`` come only when every source is exhausted."""
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
        yield from iter_open_pretrain_text(profile.world.pretrain_documents, datadir.data_dir(),
                                           open_pretrain_sources(profile.data))
    else:
        yield from iter_pretrain_text(profile.world, profile.seed)
