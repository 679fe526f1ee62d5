"""``ecomlib score``: score a predictions file against a suite, no model needed."""

from __future__ import annotations

import argparse
from pathlib import Path

from ecomlib.evaluation.scoring import read_predictions, render_table, score, write_scores
from ecomlib.evaluation.suites import SUITES, load_suite


def add_suite_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--suite", required=True, choices=SUITES, help="ecomgpt | synthetic | open | jsonl")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="ecomgpt: data directory (default $ECOMLIB_DATA_DIR); synthetic/open: the build "
                             "directory holding ecominstruct/heldout.jsonl; jsonl: the .jsonl file of your own instances")
    parser.add_argument("--candidates", choices=("sampled", "full"), default="sampled",
                        help="ecomgpt CLS prompts: seeded sampled candidate labels (as the reference) or all")
    parser.add_argument("--seed", type=int, default=0, help="seed of the candidate sampling (default 0)")
    parser.add_argument("--task", dest="tasks", action="append", default=None, metavar="NAME",
                        help="only these tasks (repeatable)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_suite_args(parser)
    parser.add_argument("--n-per-task", type=int, default=None, help="score only the first N rows per task")
    parser.add_argument("--predictions", type=Path, required=True,
                        help='JSONL: {"task": ..., "index": <0-based row>, "prediction": <text>} per instance')
    parser.add_argument("--out", type=Path, required=True, help="output folder: scores.json, scores.csv, table.md")


def run(args: argparse.Namespace) -> int:
    instances = load_suite(args.suite, args.data_dir, args.n_per_task, candidates=args.candidates,
                           seed=args.seed, tasks=args.tasks)
    preds = read_predictions(args.predictions, instances)
    scores = score(instances, preds)
    write_scores(args.out, scores)
    print(render_table(scores), end="")
    print(f"wrote {args.out / 'scores.json'}, scores.csv, table.md")
    return 0
