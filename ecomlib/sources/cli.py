"""``ecomlib sources``: list the open-data registry; with a data directory, read every source and show
what each reader kept, repaired and dropped."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from ecomlib.errors import DataError
from ecomlib.sources import REGISTRY, ReadStats, iter_records


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="data directory (default $ECOMLIB_DATA_DIR); when given, every source is read")
    parser.add_argument("--only", action="append", default=[], metavar="SOURCE", help="this source only (repeatable)")
    parser.add_argument("--limit", type=int, default=None, help="read at most this many records per source")


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def run(args: argparse.Namespace) -> int:
    names = args.only or list(REGISTRY)
    for n in names:
        if n not in REGISTRY:
            raise DataError(f"--only {n}: unknown source; known: {', '.join(REGISTRY)}")
    rows = [["name", "repo", "commit", "files", "license", "lang", "kind", "tasks", "heldout"]]
    for n in names:
        r = REGISTRY[n]
        rows.append([n, r.files[0].repo, r.files[0].commit[:7], str(len(r.files)), r.files[0].license[:40],
                     r.spec.lang, r.spec.kind, ",".join(r.spec.tasks), "yes" if r.spec.heldout else ""])
    print(_table(rows))
    data_dir = args.data_dir or (Path(os.environ["ECOMLIB_DATA_DIR"]) if os.environ.get("ECOMLIB_DATA_DIR") else None)
    if data_dir is None:
        return 0
    if not data_dir.is_dir():
        raise DataError(f"data directory {data_dir}: not a directory")
    for n in names:
        stats = ReadStats(source=n)
        t0 = time.perf_counter()
        for _ in iter_records(n, data_dir, stats, limit=args.limit):
            pass
        spec = REGISTRY[n].spec
        print(f"\n== {n} ({time.perf_counter() - t0:.2f}s)")
        lines = [["records", str(stats.records)], ["tasks", ", ".join(spec.tasks)],
                 ["repaired", str(stats.n_repaired)], ["dropped", str(stats.n_dropped)],
                 ["dropped annotations", str(stats.n_dropped_annotations)]]
        lines += [[f"  repaired: {k}", str(v)] for k, v in sorted(stats.repaired.items())]
        lines += [[f"  dropped: {k}", str(v)] for k, v in sorted(stats.dropped.items())]
        lines += [[f"  dropped annotation: {k}", str(v)] for k, v in sorted(stats.dropped_annotations.items())]
        print(_table(lines))
    return 0
