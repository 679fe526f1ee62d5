"""Reader for search queries with a product class: Wayfair WANDS ``dataset/query.csv``.

The file is tab-separated despite its ``.csv`` name (``query_id, query, query_class``; counted once
per read). A query without a class cannot be a labelled record: dropped and counted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ecomlib.recordtypes import RawRecord
from ecomlib.sources.base import ReadStats, SourceFile

WANDS_COLUMNS = ("query_id", "query", "query_class")


def read_wands(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    sf = SourceFile(name, data_dir, "dataset/query.csv", stats)
    stats.repair("tab-separated .csv read with a tab delimiter")
    for line, row in sf.csv_rows(WANDS_COLUMNS, delimiter="\t"):
        query, cls = " ".join(row["query"].split()), row["query_class"].strip()
        if not query or not cls:
            stats.drop("query without text or class")
            continue
        yield RawRecord(id=f"{name}-{row['query_id'].strip()}", source=name, data_type="query", lang="en",
                        text=query, labels={"category": cls}, meta={"line": line, "query_id": row["query_id"]})
