"""``ecomlib fetch-data --dest DIR``: download the pinned open-data files and verify their sha256."""

from __future__ import annotations

import argparse
from pathlib import Path

from ecomlib.cli import OutputSpec
from ecomlib.errors import DataError
from ecomlib.sources.fetch import BASE_URL_ENV, DEFAULT_BASE_URL, check, fetch
from ecomlib.sources.registry import FILES

# a shared data folder: files are only added (a user's invalid copy is replaced only with --overwrite)
OUTPUT = OutputSpec("dest", "data", skip_if="check")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dest", required=True, type=Path, help="data directory to fill as <owner>/<repo>/<path>")
    parser.add_argument("--only", action="append", default=[], metavar="SOURCE",
                        help="fetch only this source (repeatable); EcomGPTEval names the evaluation folders")
    parser.add_argument("--base-url", default=None,
                        help=f"mirror to download from (default ${BASE_URL_ENV} or {DEFAULT_BASE_URL})")
    parser.add_argument("--check", action="store_true", help="only verify the files under --dest; download nothing")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def refuse_replacing_invalid(files, dest: Path) -> None:
    """A file already at a pinned path that fails verification may be the user's own: keep it."""
    present = [f for f in files if f.local(dest).exists()]
    bad = [p for p in check(present, dest) if not p.endswith(": missing")]
    if bad:
        raise DataError(f"--dest {dest}: {len(bad)} existing file(s) fail verification and would be replaced, "
                        f"e.g. {bad[0]}; move them away or pass --overwrite")


def check_report(files, dest: Path, asked: set[str]) -> int:
    """Print the training files and the optional evaluation files apart; 1 only for what the user needs.

    The evaluation folders (``use = eval``: the published suite, ChineseEcomQA) are optional: a complete
    training folder without them is valid. They count when ``--only`` names them, and a copy that is
    present but corrupt always counts."""
    training = [f for f in files if f.use != "eval"]
    optional = [f for f in files if f.use == "eval"]
    failed = 0
    for label, part in (("training files", training), ("optional evaluation files", optional)):
        if not part:
            continue
        problems = check(part, dest)
        required = label == "training files" or bool(asked)  # with --only, every listed file was asked for
        missing = [p for p in problems if p.endswith(": missing")]
        bad = problems if required else [p for p in problems if p not in missing]
        for p in bad:
            print(p)
        names = sorted({f.group for f in part})
        groups = f"{len(names)} sources" if len(names) > 3 else ", ".join(names)
        note = "" if required or not missing else f" ({len(missing)} not fetched: optional; fetch-data --only NAME)"
        print(f"{label} ({groups}): {len(part) - len(problems)}/{len(part)} valid under {dest}{note}")
        failed += len(bad)
    return 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    groups = sorted({f.group for f in FILES})
    for name in args.only:
        if name not in groups:
            raise DataError(f"--only {name}: unknown source; known: {', '.join(groups)}")
    files = [f for f in FILES if not args.only or f.group in args.only]
    if args.check:
        return check_report(files, args.dest, asked=set(args.only))
    if not getattr(args, "overwrite", False):
        refuse_replacing_invalid(files, args.dest)
    result = fetch(args.dest, files, base=args.base_url, show_progress=not args.no_progress)
    print(f"fetched {len(result.downloaded)} files, {len(result.skipped)} already valid, into {args.dest}")
    return 0
