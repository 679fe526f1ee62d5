"""``ecomlib score``: score a predictions file against a suite, no model needed.

``ecomlib evaluate`` writes ``predictions.meta.json`` beside its predictions (the suite and the subset:
n_per_task, tasks, candidates, seed); ``score`` takes those as its defaults, so re-scoring evaluate's
output needs no flags repeated. A flag given on the command line wins.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ecomlib.cli import OutputSpec
from ecomlib.errors import ConfigError, DataError
from ecomlib.evaluation.chinese_ecomqa import add_summary
from ecomlib.evaluation.scoring import read_predictions, render_table, score, write_scores
from ecomlib.evaluation.suites import LOAD_SUITE_NAMES as SUITES, EvalInstance, load_suite
from ecomlib.sources.published_eval import absent_ecomgpt_tasks, unverified_files

OUTPUT = OutputSpec("out", "dir")
META_SUFFIX = ".meta.json"
SUBSET_KEYS = ("suite", "n_per_task", "tasks", "candidates", "seed")


def add_suite_args(parser: argparse.ArgumentParser, suite_required: bool = True) -> None:
    parser.add_argument("--suite", required=suite_required, default=None, choices=SUITES,
                        help="ecomgpt | synthetic | open | jsonl | chinese_ecomqa" + ("" if suite_required else
                                                             " (default: the predictions' meta file)"))
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="ecomgpt: data directory (default $ECOMLIB_DATA_DIR); synthetic/open: the build "
                             "directory holding ecominstruct/heldout.jsonl; jsonl: the .jsonl file of your own instances; "
                             "chinese_ecomqa: data directory (default $ECOMLIB_DATA_DIR) or ChineseEcomQA.jsonl")
    parser.add_argument("--candidates", choices=("sampled", "full"), default=None,
                        help="ecomgpt CLS prompts: seeded sampled candidate labels (as the reference, default) or all")
    parser.add_argument("--seed", type=int, default=None, help="seed of the candidate sampling (default 0)")
    parser.add_argument("--task", dest="tasks", action="append", default=None, metavar="NAME",
                        help="only these tasks (repeatable)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_suite_args(parser, suite_required=False)
    parser.add_argument("--n-per-task", type=int, default=None,
                        help="score only the first N rows per task (default: every row; shown as a subset)")
    parser.add_argument("--predictions", type=Path, required=True,
                        help='JSONL: {"task": ..., "index": <0-based row>, "prediction": <text>} per instance')
    parser.add_argument("--out", type=Path, required=True, help="output folder: scores.json, scores.csv, table.md")


def meta_path(predictions: Path) -> Path:
    """``predictions.jsonl`` -> ``predictions.meta.json``."""
    return predictions.with_name(predictions.stem + META_SUFFIX)


def subset_meta(args: argparse.Namespace, n_per_task: int | None) -> dict:
    """What ``evaluate`` records beside its predictions so ``score`` can select the same instances, and
    the suite's folder (``data_dir``, absolute), so ``score`` needs no ``--data-dir`` either."""
    data_dir = str(Path(args.data_dir).resolve()) if args.data_dir is not None else None
    return {"suite": args.suite, "n_per_task": n_per_task, "tasks": sorted(args.tasks) if args.tasks else None,
            "candidates": args.candidates or "sampled", "seed": 0 if args.seed is None else args.seed,
            "data_dir": data_dir}


def read_meta(predictions: Path) -> dict:
    path = meta_path(predictions)
    if not path.is_file():
        return {}
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: not a readable JSON object ({exc})") from None
    if not isinstance(meta, dict):
        raise DataError(f"{path}: expected a JSON object with {', '.join(SUBSET_KEYS)}")
    return {k: meta.get(k) for k in (*SUBSET_KEYS, "data_dir")}


def subset_record(suite: str, n_per_task: int | None, tasks, data_dir, rows_from: str | None = None) -> dict:
    """What was scored, for scores.json and the table: ``whole`` is False when rows or tasks were cut
    by request; ``absent`` names the published folders missing from the data directory; ``unverified``
    the files of a pinned suite read from outside a registered path (not checked against their sha256);
    ``rows_from`` says where ``n_per_task`` came from when not from the command line (e.g. the profile)."""
    record = {"suite": suite, "n_per_task": n_per_task, "tasks": sorted(tasks) if tasks else None,
              "whole": n_per_task is None and not tasks,
              "absent": absent_ecomgpt_tasks(data_dir) if suite == "ecomgpt" else [],
              "unverified": [str(p) for p in unverified_files(suite, data_dir, tasks)]}
    return {**record, "rows_from": rows_from} if rows_from else record


def load_filtered_suite(suite: str, data_dir, n_per_task, candidates, seed, tasks) -> list[EvalInstance]:
    """``load_suite`` where every ``--task`` must name a task of the suite (else: the valid names)."""
    instances = load_suite(suite, data_dir, n_per_task, candidates=candidates or "sampled",
                           seed=0 if seed is None else seed, tasks=tasks)
    unknown = sorted(set(tasks or ()) - {i.task for i in instances})
    if unknown:
        valid = sorted({i.task for i in load_suite(suite, data_dir, 1, candidates=candidates or "sampled",
                                                   seed=0 if seed is None else seed)})
        raise ConfigError(f"--task {', '.join(unknown)}: no such task in suite {suite!r}; "
                          f"valid: {', '.join(valid)}")
    return instances


def suite_extras(suite: str, scores: dict, instances, preds) -> dict[str, str]:
    """Files a suite adds to the score outputs (ChineseEcomQA: its per-code headline table), and the
    summary put into ``scores``."""
    if suite != "chinese_ecomqa":
        return {}
    return {"chinese_ecomqa.md": add_summary(scores, instances, preds)}


def run(args: argparse.Namespace) -> int:
    meta = read_meta(args.predictions)
    given = {"suite": args.suite, "n_per_task": args.n_per_task, "tasks": args.tasks,
             "candidates": args.candidates, "seed": args.seed}
    chosen = {k: given[k] if given[k] is not None else meta.get(k) for k in SUBSET_KEYS}
    if chosen["suite"] is None:
        raise ConfigError(f"--suite is required ({meta_path(args.predictions)} not found to take it from)")
    if args.data_dir is None and meta.get("data_dir") and chosen["suite"] == meta.get("suite"):
        args.data_dir = Path(meta["data_dir"])  # the folder evaluate read (a build folder, a jsonl file)
    instances = load_filtered_suite(chosen["suite"], args.data_dir, chosen["n_per_task"], chosen["candidates"],
                                    chosen["seed"], chosen["tasks"])
    preds = read_predictions(args.predictions, instances, only_tasks=chosen["tasks"],
                             n_per_task=chosen["n_per_task"])
    scores = score(instances, preds, subset_record(chosen["suite"], chosen["n_per_task"], chosen["tasks"],
                                                   args.data_dir))
    extra = suite_extras(chosen["suite"], scores, instances, preds)
    write_scores(args.out, scores, extra)
    print(render_table(scores), end="")
    for text in extra.values():
        print("\n" + text, end="")
    print(f"wrote {args.out / 'scores.json'}, scores.csv, table.md")
    return 0
