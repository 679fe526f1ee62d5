"""The raw-record contract shared by the synthetic world and the open (real) sources.

A raw record is one e-commerce object with its gold annotations. Both data worlds produce exactly
this shape, so everything downstream (tasks, Chain-of-Task derivation, instructions) works on either.
A leaf module (it imports only ``ecomlib.errors``), so both worlds can build records without importing the
records layer (``ecomlib.records``, the door that lists and reads them).

Fields
------
``id``      unique within its source, stable for a given seed (e.g. ``"EcomTitleNER-000042"``).
``source``  the source dataset's name (registered in ``ecomlib.world.sources`` or ``ecomlib.sources``).
``data_type`` ``product``, ``review``, ``query``, ``dialogue`` or ``qa`` (the JSON key is ``kind``, as
            written before the rename; a task's ``kind`` is what the task asks, ``ecomlib.schema.TASK_KINDS``).
``lang``    ``"en"`` or ``"zh"``.
``text``    the main text; every span indexes it.
``spans``   typed spans with ``text[start:end] == span.text`` (validated).
``labels``  JSON-serialisable gold annotations; the keys per data type are below. A key a source does not
            annotate is simply absent (``labels.get``); never present-but-wrong.
``meta``    anything else (split, noise applied, ``pseudo: True`` for pseudo-labelled records, ...).

Label keys per data type (all optional unless marked *)
-------------------------------------------------
product   text = a product title.
          spans: typed entities (``brand``, ``product``, ``model``, attribute names such as ``color``,
          ``material``, ``size`` ..., ``modifier``).
          labels: ``product_id`` (same id = same product, used for item alignment), ``category_coarse``,
          ``category_fine``, ``attributes`` {attr: value} (every value is a span text), ``description``
          (str), ``price`` (float), ``title_parts`` [[field, surface], ...] (every word of the title in
          title order; a world that sets ``meta["title_parts_expected"]`` omits it for typo'd titles).
review    text = a review.
          spans: ``aspect`` and ``opinion`` spans.
          labels: ``tuples`` [{aspect, opinion, category, polarity}] where aspect/opinion may be None
          (implicit), ``opinion`` is left out when the source annotates no opinion words, and polarity
          is ``positive``/``negative``/``neutral`` (None when the source's is outside them); ``rating`` (1-5),
          ``sentiment`` (``positive``/``negative``), ``topics`` [category, ...] (multi-label),
          ``product_category`` (str), ``summary`` (str).
query     text = a search query.
          spans: segments typed ``brand``/``product``/``attribute``/``modifier``.
          labels: ``segments`` [str] (the query split into segments, in order), ``intent``,
          ``category``, ``positive_title`` (the title that matches), ``negative_titles`` [str],
          ``rewrite`` (a cleaner query).
dialogue  text = the rendered conversation, one turn per line as ``user: ...`` / ``agent: ...``.
          labels: ``turns`` [{role, text}], ``intent`` (of the last user turn), ``next_response``,
          ``reply_guide`` [str] (candidate replies the agent is shown, ``next_response`` among them).
qa        text = the context (a product description or review).
          spans: the answer span (type ``answer``) when answerable.
          labels*: ``question``; ``answerable`` (bool; absent when every question is answered by
          construction); ``answer`` (str or None); ``evidence`` [sentence, ...] and ``evidence_index``
          (int or None) when the source has candidate evidence, and ``evidence_indices`` [int] when
          several candidates answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ecomlib.errors import DataError

RECORD_DATA_TYPES = ("product", "review", "query", "dialogue", "qa")
LANGS = ("en", "zh")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    type: str
    text: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "type": self.type, "text": self.text}


@dataclass
class RawRecord:
    id: str
    source: str
    data_type: str
    lang: str
    text: str
    spans: list[Span] = field(default_factory=list)
    labels: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> "RawRecord":
        """Raise DataError unless the record honours the contract (offsets index ``text`` exactly)."""
        who = f"record {self.id!r} of source {self.source!r}"
        if self.data_type not in RECORD_DATA_TYPES:
            raise DataError(f"{who}: data_type {self.data_type!r} is not one of {RECORD_DATA_TYPES}")
        if self.lang not in LANGS:
            raise DataError(f"{who}: lang {self.lang!r} is not one of {LANGS}")
        if not isinstance(self.text, str) or not self.text:
            raise DataError(f"{who}: text must be a non-empty string")
        for i, sp in enumerate(self.spans):
            if not (0 <= sp.start < sp.end <= len(self.text)):
                raise DataError(f"{who}: span {i} offsets [{sp.start}, {sp.end}) outside text of length {len(self.text)}")
            if self.text[sp.start : sp.end] != sp.text:
                raise DataError(
                    f"{who}: span {i} text {sp.text!r} != text[{sp.start}:{sp.end}] = {self.text[sp.start:sp.end]!r}"
                )
        return self

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "kind": self.data_type,  # the on-disk name, unchanged
            "lang": self.lang,
            "text": self.text,
            "spans": [s.to_dict() for s in self.spans],
            "labels": self.labels,
            "meta": self.meta,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict) -> "RawRecord":
        return cls(
            id=d["id"],
            source=d["source"],
            data_type=d["kind"],
            lang=d["lang"],
            text=d["text"],
            spans=[Span(**s) for s in d.get("spans", [])],
            labels=d.get("labels", {}),
            meta=d.get("meta", {}),
        )


@dataclass(frozen=True)
class SourceSpec:
    """A source dataset of either world, as the builder sees it.

    ``tasks`` are the *benchmark* task kinds the dataset is annotated for (names from
    ``ecomlib.schema.TASK_KINDS``); Chain-of-Task tasks are derived from the same records by the
    builder. ``heldout`` sources feed only the held-out suite, never training (nor their CoT tasks).
    ``pseudo`` sources are unlabelled data whose labels come from the noisy labeler (the paper's
    ChatGPT pseudo-labels). ``derivations`` are the source's own Chain-of-Task (kind, strategy) pairs;
    ``None`` (every synthetic source) means its data type's (``ecomlib.instruct.cot.DERIVATIONS``).
    """

    name: str  # no '-' (task names are LANG-Dataset-TaskType-name)
    lang: str
    data_type: str
    tasks: tuple[str, ...]
    heldout: bool = False
    pseudo: bool = False
    description: str = ""
    paper_analog: str = ""  # the paper's dataset this one mirrors, if any
    derivations: tuple[tuple[str, str], ...] | None = None
