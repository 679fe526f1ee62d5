"""``ecomlib sources``: list the open-data registry (with each source's licence note, its ``use`` and
flags: ``eval-only``, ``no-redistribution`` where the note names no open licence for the data) and
the pinned evaluation suites (the 26 files of the 13 published EcomGPT folders, each present /
absent / invalid under the data directory; ChineseEcomQA); with a data directory, read every source
and show what each reader kept, repaired and dropped, then the records per source."""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

from ecomlib.errors import DataError
from ecomlib.evaluation import chinese_ecomqa
from ecomlib.sources import REGISTRY, ReadStats, iter_records
from ecomlib.sources.registry import (CHINESE_ECOMQA_GROUP, EVAL_GROUP, eval_folder, files_of, redistributable,
                                      source_use)
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


def flags(group: str) -> str:
    """``eval-only`` (never trained on) and ``no-redistribution`` (no open licence for the data)."""
    out = ["eval-only"] if source_use(group) == "eval" else []
    return ",".join(out + ([] if redistributable(files_of(group)[0].license) else ["no-redistribution"]))


def shown_use(name: str) -> str:
    """``source_use``, but a held-out source is a test source: its records never reach training (#24: the
    listing said ``train``)."""
    use = source_use(name)
    return "test (held-out)" if use == "train" and REGISTRY[name].spec.heldout else use


def _source_rows(names: list[str]) -> list[list[str]]:
    rows = [["name", "repo", "commit", "files", "lang", "data_type", "use", "tasks", "heldout", "flags", "license"]]
    for n in names:
        r = REGISTRY[n]
        rows.append([n, r.files[0].repo, r.files[0].commit[:7], str(len(r.files)), r.spec.lang, r.spec.data_type,
                     shown_use(n), ",".join(r.spec.tasks) or "–", "yes" if r.spec.heldout else "", flags(n),
                     r.files[0].license])
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
    folders = sorted({eval_folder(f) for f in files})
    complete = sum(all(st == "present" for f, st in zip(files, states) if eval_folder(f) == d) for d in folders)
    where = (f"{states.count('present')} of {len(files)} files present under {data_dir}, "
             f"{complete} of {len(folders)} folders complete" if data_dir else "no data directory given: state not checked")
    head = (f"Evaluation suite ({EVAL_GROUP}, {files[0].repo}: {len({eval_folder(f) for f in files})} folders, "
            f"{len(files)} files; {where}; `ecomlib fetch-data --dest DIR --only {EVAL_GROUP}` fetches them)")
    return head + "\n" + _table(rows)


def chinese_ecomqa_table(data_dir: Path | None) -> str:
    """ChineseEcomQA's pinned file, its state and (when present and valid) the items per task code."""
    (f,) = files_of(CHINESE_ECOMQA_GROUP)
    state = _file_state(f, data_dir)
    head = (f"Evaluation suite ({CHINESE_ECOMQA_GROUP}, {f.repo} {f.commit[:7]}, {f.path}: {state}; "
            f"flags {flags(CHINESE_ECOMQA_GROUP)}; licence: {f.license}; --suite chinese_ecomqa)")
    if state != "present":
        return head
    counts = Counter(i.meta["code"] for i in chinese_ecomqa.load(data_dir))
    rows = [["code", "items", "metric"]] + [[c, str(counts[c]), chinese_ecomqa.HEADLINE[c]] for c in sorted(counts)]
    return head + "\n" + _table(rows)


def _read_source(name: str, data_dir: Path, limit: int | None) -> ReadStats:
    stats = ReadStats(source=name)
    t0 = time.perf_counter()
    for _ in iter_records(name, data_dir, stats, limit=limit):
        pass
    spec = REGISTRY[name].spec
    print(f"\n== {name} ({time.perf_counter() - t0:.2f}s)")
    derived = ", ".join(f"{k} ({s})" for k, s in spec.derivations) if spec.derivations else ""
    tasks = ", ".join(spec.tasks) or ("none: Chain-of-Task only" if derived else f"none yet ({source_use(name)})")
    lines = [["records", str(stats.records)], ["tasks", tasks], *([["derived", derived]] if derived else []),
             ["repaired", str(stats.n_repaired)], ["dropped", str(stats.n_dropped)],
             ["dropped annotations", str(stats.n_dropped_annotations)]]
    lines += [[f"  repaired: {k}", str(v)] for k, v in sorted(stats.repaired.items())]
    lines += [[f"  dropped: {k}", str(v)] for k, v in sorted(stats.dropped.items())]
    lines += [[f"  dropped annotation: {k}", str(v)] for k, v in sorted(stats.dropped_annotations.items())]
    print(_table(lines))
    return stats


def run(args: argparse.Namespace) -> int:
    evals = (EVAL_GROUP, CHINESE_ECOMQA_GROUP)
    show_eval = not args.only or EVAL_GROUP in args.only
    show_ceq = not args.only or CHINESE_ECOMQA_GROUP in args.only
    names = [n for n in args.only if n not in evals] if args.only else list(REGISTRY)
    for n in names:
        if n not in REGISTRY:
            raise DataError(f"--only {n}: unknown source; known: {', '.join(REGISTRY)}, {', '.join(evals)}")
    data_dir = args.data_dir or (Path(os.environ["ECOMLIB_DATA_DIR"]) if os.environ.get("ECOMLIB_DATA_DIR") else None)
    if data_dir is not None and not data_dir.is_dir():
        raise DataError(f"data directory {data_dir}: not a directory")
    if names:
        print(_table(_source_rows(names)))
    if show_eval:
        print(("\n" if names else "") + eval_suite_table(data_dir))
    if show_ceq:
        print("\n" + chinese_ecomqa_table(data_dir))
    if data_dir is None:
        return 0
    counts = [["source", "use", "records", "repaired", "dropped", "dropped annotations"]]
    for n in names:
        st = _read_source(n, data_dir, args.limit)
        counts.append([n, shown_use(n), str(st.records), str(st.n_repaired), str(st.n_dropped),
                       str(st.n_dropped_annotations)])
    if len(counts) > 2:
        print("\n== records per source\n" + _table(counts))
    return 0
