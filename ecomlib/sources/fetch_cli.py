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


def run(args: argparse.Namespace) -> int:
    groups = sorted({f.group for f in FILES})
    for name in args.only:
        if name not in groups:
            raise DataError(f"--only {name}: unknown source; known: {', '.join(groups)}")
    files = [f for f in FILES if not args.only or f.group in args.only]
    if args.check:
        problems = check(files, args.dest)
        for p in problems:
            print(p)
        print(f"{len(files) - len(problems)}/{len(files)} files valid under {args.dest}")
        return 1 if problems else 0
    if not getattr(args, "overwrite", False):
        refuse_replacing_invalid(files, args.dest)
    result = fetch(args.dest, files, base=args.base_url, show_progress=not args.no_progress)
    print(f"fetched {len(result.downloaded)} files, {len(result.skipped)} already valid, into {args.dest}")
    return 0
