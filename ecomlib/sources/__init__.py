"""The open data world: real public e-commerce data sets, pinned by repository, commit, path and sha256.

``registry.tsv`` lists every pinned file; ``registry.py`` groups them into named sources (a
``SourceSpec`` each); one reader per source turns its files into raw records
(``ecomlib.recordtypes``), repairing unambiguous quirks and counting what it repairs and drops in a
``ReadStats``. Files are read from a data directory laid out as ``<owner>/<repo>/<path>``
(``ECOMLIB_DATA_DIR``); ``ecomlib fetch-data --dest DIR`` downloads and verifies them.

Held-out sources
----------------
The open world has its own held-out suite mirroring the paper's two levels. These sources never
enter training (nor do their Chain-of-Task tasks):

* ``WDCPAVE`` (EN attribute-value extraction): an unseen *dataset* for a task trained on OA-Mine and
  AE-110k; its text (title + description) is also longer than the training titles.
* ``Eprstmt`` (ZH review sentiment): an unseen dataset for a task trained on online-shopping reviews.
* ``SemEvalLaptop`` (EN aspect extraction and polarity): an unseen dataset for tasks trained on
  Hu & Liu (EN) and Zhijiang (ZH).
* ``PriceRunner`` (EN category and ``item_align``): ``item_align`` is an unseen *task* (one of
  ``ecomlib.schema.UNSEEN_TASK_KINDS``), mirroring the paper's Product Align; no training source
  has an unseen task kind (checked when the registry loads).

Public API: ``REGISTRY``, ``list_sources()``, ``get_source(name)``, ``iter_records(name, data_dir,
stats=None, limit=None)``, ``read_source(name, data_dir)``, ``ReadStats``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ecomlib.errors import DataError
from ecomlib.recordtypes import RawRecord, SourceSpec
from ecomlib.sources import address, copywriting, dialogue, matching, products, qa, queries, reviews
from ecomlib.sources.base import ReadStats
from ecomlib.sources.registry import FILES, SPECS, PinnedFile, files_of, source_use

Reader = Callable[[str, Path, ReadStats], Iterator[RawRecord]]

_READERS: dict[str, Reader] = {
    "TaobaoNER": products.read_ner,
    "YoukuNER": products.read_ner,
    "OAMine": products.read_extractgpt,
    "AE110k": products.read_extractgpt,
    "WDCPAVE": products.read_wdc,
    "PriceRunner": products.read_pricerunner,
    "Zhijiang": reviews.read_zhijiang,
    "Eprstmt": reviews.read_eprstmt,
    "OnlineShopping": reviews.read_online_shopping,
    "SemEvalLaptop": reviews.read_semeval,
    "FewSum": reviews.read_fewsum,
    "HuLiu": reviews.read_huliu,
    "ePQA": qa.read_epqa,
    "hetPQA": qa.read_hetpqa,
    "AbtBuy": matching.read_ditto,
    "AmazonGoogle": matching.read_ditto,
    "WDCProducts": matching.read_ditto,
    "ChineseAddress": address.read_chinese_address,
    "CCKSAddress": address.read_ccks,
    "HINT3Curekart": dialogue.read_hint3,
    "HINT3Sofmattress": dialogue.read_hint3,
    "Bitext": dialogue.read_bitext,
    "AdvertiseGen": copywriting.read_advertisegen,
    "WANDS": queries.read_wands,
    "semiPQA": copywriting.read_semipqa,
}


@dataclass(frozen=True)
class RegisteredSource:
    spec: SourceSpec
    files: tuple[PinnedFile, ...]  # every pinned file of the source (licenses and docs included)
    reader: Reader


REGISTRY: dict[str, RegisteredSource] = {
    s.name: RegisteredSource(spec=s, files=files_of(s.name), reader=_READERS[s.name]) for s in SPECS
}

__all__ = ["REGISTRY", "FILES", "ReadStats", "RegisteredSource", "get_source", "iter_records", "list_sources",
           "read_source"]


def list_sources() -> list[SourceSpec]:
    """The sources of an open build: registry ``use`` = ``train`` (staged sources are read and listed by
    ``ecomlib sources`` but stay out of the build until their tasks exist)."""
    return [r.spec for n, r in REGISTRY.items() if source_use(n) == "train"]


def get_source(name: str) -> SourceSpec:
    if name not in REGISTRY:
        raise DataError(f"unknown open-data source {name!r}; known: {', '.join(REGISTRY)}")
    return REGISTRY[name].spec


def iter_records(name: str, data_dir: Path, stats: ReadStats | None = None,
                 limit: int | None = None) -> Iterator[RawRecord]:
    """Stream the source's records (validated). ``stats`` is filled as records are read; ``limit``
    stops after that many records (files after the limit are not opened)."""
    spec = get_source(name)
    stats = stats if stats is not None else ReadStats()
    stats.source = name
    if limit is not None and limit < 0:
        raise DataError(f"limit must be >= 0, got {limit}")
    gen = REGISTRY[name].reader(name, Path(data_dir), stats)
    for rec in itertools.islice(gen, limit):
        if rec.data_type != spec.data_type or rec.lang != spec.lang:
            raise DataError(f"source {name}: record {rec.id} is {rec.lang}/{rec.data_type}, the spec says {spec.lang}/{spec.data_type}")
        rec.validate()
        stats.records += 1
        yield rec


def read_source(name: str, data_dir: Path) -> tuple[list[RawRecord], ReadStats]:
    stats = ReadStats(source=name)
    records = list(iter_records(name, data_dir, stats))
    return records, stats
