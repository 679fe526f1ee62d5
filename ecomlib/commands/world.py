"""``ecomlib world``: list the synthetic source datasets, or print sample records as JSON lines."""

from __future__ import annotations

import argparse
import dataclasses
import itertools

from ecomlib.cli import add_profile_args, profile_from_args
from ecomlib.errors import ConfigError
from ecomlib.world import get_source, iter_records, list_sources


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    sub.add_parser("list", help="table of sources: name, lang, data_type, heldout, pseudo, tasks, paper analog")
    sample = sub.add_parser("sample", help="print records of one source as JSON lines")
    sample.add_argument("--source", required=True, help="source name (see `ecomlib world list`)")
    sample.add_argument("-n", type=int, default=3, help="number of records (default 3)")
    add_profile_args(sample)


def run(args: argparse.Namespace) -> int:
    if args.action == "list":
        rows = [("name", "lang", "data_type", "heldout", "pseudo", "tasks", "paper analog")]
        for s in list_sources():
            rows.append((s.name, s.lang, s.data_type, "yes" if s.heldout else "", "yes" if s.pseudo else "",
                         ",".join(s.tasks), s.paper_analog))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1])
        return 0
    if args.n < 0:
        raise ConfigError(f"-n: expected a non-negative number of records, got {args.n}")
    get_source(args.source)  # unknown name -> DataError listing the known ones
    profile = profile_from_args(args)
    cfg = dataclasses.replace(profile.world, records_per_source=max(args.n, 1))
    for rec in itertools.islice(iter_records(args.source, cfg, profile.seed), args.n):
        print(rec.to_json())
    return 0
