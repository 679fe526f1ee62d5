"""``ecomlib sources``: list the open-data registry and the pinned evaluation suite (the 26 files of
the 13 published EcomGPT folders, each present / absent / invalid under the data directory); with a
data directory, read every source and show what each reader kept, repaired and dropped."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from ecomlib.errors import DataError
from ecomlib.sources import REGISTRY, ReadStats, iter_records
from ecomlib.sources.registry import EVAL_GROUP, eval_folder, files_of
from ecomlib.sources.verify import verify_pinned


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="data directory (default $ECOMLIB_DATA_DIR); when given, every source is read")
    parser.add_argument("--only", action="append", default=[], metavar="SOURCE",
                        help=f"this source only (repeatable); {EVAL_GROUP} lists the evaluation suite")
    parser.add_argument("--limit", type=int, default=None, help="read at most this many records per source")


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _source_rows(names: list[str]) -> list[list[str]]:
    rows = [["name", "repo", "commit", "files", "license", "lang", "kind", "tasks", "heldout"]]
    for n in names:
        r = REGISTRY[n]
        rows.append([n, r.files[0].repo, r.files[0].commit[:7], str(len(r.files)), r.files[0].license[:40],
                     r.spec.lang, r.spec.kind, ",".join(r.spec.tasks), "yes" if r.spec.heldout else ""])
    return rows


def _file_state(f, data_dir: Path | None) -> str:
    if data_dir is None:
        return "–"
    path = f.local(data_dir)
    if not path.is_file():
        return "absent"
    try:
        verify_pinned(f, path)
    except DataError:
        return "invalid"
    return "present"


def eval_suite_table(data_dir: Path | None) -> str:
    """The pinned evaluation files, one line each, with their state under ``data_dir`` (if given)."""
    files = sorted(files_of(EVAL_GROUP), key=lambda f: (eval_folder(f), f.path))
    states = [_file_state(f, data_dir) for f in files]
    rows = [["folder", "file", "bytes", "commit", "state"]]
    rows += [[eval_folder(f), f.path.rsplit("/", 1)[-1], str(f.bytes), f.commit[:7], st] for f, st in zip(files, states)]
    where = (f"{states.count('present')} present under {data_dir}" if data_dir
             else "no data directory given: state not checked")
    head = (f"Evaluation suite ({EVAL_GROUP}, {files[0].repo}: {len({eval_folder(f) for f in files})} folders, "
            f"{len(files)} files; {where}; `ecomlib fetch-data --dest DIR --only {EVAL_GROUP}` fetches them)")
    return head + "\n" + _table(rows)


def run(args: argparse.Namespace) -> int:
    show_eval = not args.only or EVAL_GROUP in args.only
    names = [n for n in args.only if n != EVAL_GROUP] if args.only else list(REGISTRY)
    for n in names:
        if n not in REGISTRY:
            raise DataError(f"--only {n}: unknown source; known: {', '.join(REGISTRY)}, {EVAL_GROUP}")
    data_dir = args.data_dir or (Path(os.environ["ECOMLIB_DATA_DIR"]) if os.environ.get("ECOMLIB_DATA_DIR") else None)
    if data_dir is not None and not data_dir.is_dir():
        raise DataError(f"data directory {data_dir}: not a directory")
    if names:
        print(_table(_source_rows(names)))
    if show_eval:
        print(("\n" if names else "") + eval_suite_table(data_dir))
    if data_dir is None:
        return 0
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
