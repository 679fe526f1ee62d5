"""``ecomlib export``: a built EcomInstruct as chat or prompt/completion JSONL (``ecomlib.instruct.export``).

Run ``ecomlib export --build BUILD --format chat --out DIR`` (or ``python -m ecomlib.commands.export``).
A shell verb (the top layer): it may import any ecomlib package.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ecomlib.cli import OutputSpec
from ecomlib.cli import main as cli_main
from ecomlib.instruct.dataset import SPLITS
from ecomlib.instruct.export import FORMATS, export_build

OUTPUT = OutputSpec("out", "dir")  # the dispatcher claims --out and adds --overwrite


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--build", required=True, type=Path, help="a build-data --out folder (or its ecominstruct/)")
    parser.add_argument("--format", required=True, choices=FORMATS, help="chat | prompt_completion")
    parser.add_argument("--out", required=True, type=Path, help="output folder: <split>.<format>.jsonl")
    parser.add_argument("--split", dest="splits", action="append", choices=SPLITS, default=None,
                        help="only this split (repeatable; default: every split the build has)")
    parser.add_argument("--keep", action="append", default=[], metavar="KEY",
                        help="also copy this row key (task, lang, ...) into each line (repeatable)")


def run(args: argparse.Namespace) -> int:
    paths = export_build(args.build, args.out, args.format, args.splits, args.keep,
                         overwrite=bool(getattr(args, "overwrite", False)))
    for p in paths:
        n = sum(1 for _ in open(p, encoding="utf-8"))
        print(f"wrote {p} ({n} rows)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """The same as ``ecomlib export`` (its output claim, --overwrite and one-line errors)."""
    return cli_main(["export", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
