"""``ecomlib evaluate``: generate answers on a suite with a model, write predictions.jsonl, then score.

``--model`` is a local checkpoint folder, a hub id (only from the local cache unless
``--allow-download``), or ``openai:<model>`` for an OpenAI-compatible chat endpoint
(``OPENAI_BASE_URL``, ``OPENAI_API_KEY``). Generation settings come from the profile's ``eval`` section.
The published suite (``--suite ecomgpt``) is scored whole by default: every row of every published
folder present. ``--n-per-task N`` / ``--task NAME`` (or an explicit ``--set eval.n_per_task=N``) ask
for a subset, which the table and ``scores.json`` (``subset``) then show. The built suites
(synthetic / open / jsonl) take the profile's ``eval.n_per_task`` unless ``--n-per-task`` is given.
Predictions, ``predictions.meta.json`` (the subset, for ``ecomlib score``) and the scores are written
as one set: all or none. An ``openai:`` model also keeps every answer as it arrives in
``openai-answers.jsonl`` in ``--out``, so a rerun after a failure asks only for the missing ones.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ecomlib.cli import OutputSpec, add_profile_args, profile_from_args
from ecomlib.commands.score import (add_suite_args, load_filtered_suite, meta_path, subset_meta, subset_record,
                                   suite_extras)
from ecomlib.errors import ConfigError, DataError
from ecomlib.evaluation.openai_chat import ChatClient
from ecomlib.evaluation.generation import inference_dtype, place_for_inference
from ecomlib.evaluation.runner import evaluate_model
from ecomlib.evaluation.scoring import render_table, write_scores
from ecomlib.io import dumps_json, jsonl_text, read_marker, record_output_file

OUTPUT = OutputSpec("out", "dir")
PREDICTIONS = "predictions.jsonl"
ANSWERS = "openai-answers.jsonl"  # an endpoint's answers, kept as they arrive (see openai_chat.AnswerJournal)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="checkpoint dir, hub id, or openai:<model>")
    add_suite_args(parser)
    add_profile_args(parser)
    parser.add_argument("--out", type=Path, required=True, help="output folder: predictions.jsonl + scores")
    parser.add_argument("--n-per-task", type=int, default=None,
                        help="score only the first N rows per task (ecomgpt default: every row)")
    parser.add_argument("--allow-download", action="store_true", help="let a hub id download (off by default)")
    parser.add_argument("--progress", action="store_true", help="show a progress bar")


def load_model(spec: str, allow_download: bool = False):
    """(model, tokenizer); tokenizer is None for an ``openai:`` chat client."""
    if spec.startswith("openai:"):
        name = spec.split(":", 1)[1]
        if not name:
            raise ConfigError("--model openai:<model>: the model name is empty")
        return ChatClient(name), None
    from ecomlib.training.models import load_model as load_causal_lm  # deferred: transformers
    from ecomlib.training.tokenizer import load_tokenizer  # deferred: transformers

    model = place_for_inference(load_causal_lm(spec, allow_download=allow_download, what="--model", dtype=inference_dtype()))
    tok = load_tokenizer(spec, allow_download=allow_download, what="--model", for_training=False)
    return model, tok


def keep_answers(model, out: Path) -> None:
    """Point an endpoint client at ``out/openai-answers.jsonl``: ecomlib's own file (listed in the folder's
    marker) or a new one, never a user's file of that name."""
    path = out / ANSWERS
    if path.exists() and (read_marker(out) or {}).get("files", {}).get(ANSWERS) != "evaluate":
        raise DataError(f"--out {out}: {path} exists and was not written by `ecomlib evaluate`; move it away "
                        "(evaluate keeps an endpoint's answers there)")
    record_output_file(path, "evaluate")
    model.answers_file = path


def rows_per_task(args: argparse.Namespace, profile) -> int | None:
    """None (every row) for the published suite unless a subset is asked for explicitly."""
    if args.n_per_task is not None:
        return args.n_per_task
    explicit = any(o.split("=", 1)[0].strip() == "eval.n_per_task" for o in (args.overrides or ()))
    if args.suite in ("ecomgpt", "chinese_ecomqa") and not explicit:  # published benchmarks: whole
        return None
    return profile.eval.n_per_task


def rows_origin(args: argparse.Namespace, profile, n_per_task: int | None) -> str | None:
    """Where ``n_per_task`` came from when the command line did not give it: the profile's eval.n_per_task."""
    explicit = any(o.split("=", 1)[0].strip() == "eval.n_per_task" for o in (args.overrides or ()))
    if n_per_task is None or args.n_per_task is not None or explicit:
        return None
    return f"profile {profile.name!r}'s eval.n_per_task; --n-per-task N sets it"


def run(args: argparse.Namespace) -> int:
    profile = profile_from_args(args)
    n_per_task = rows_per_task(args, profile)
    instances = load_filtered_suite(args.suite, args.data_dir, n_per_task, args.candidates, args.seed, args.tasks)
    model, tok = load_model(args.model, args.allow_download)
    if tok is None:
        keep_answers(model, args.out)
    rows, scores = evaluate_model(model, tok, instances, profile.eval, progress=args.progress,
                                  subset=subset_record(args.suite, n_per_task, args.tasks, args.data_dir,
                                                       rows_from=rows_origin(args, profile, n_per_task)))
    if os.environ.get("RANK", "0") != "0":  # launched with several processes: they shared the suite; one writes
        return 0
    meta = {**subset_meta(args, n_per_task), "model": args.model}
    if getattr(model, "null_answers", 0):
        meta["null_answers"] = model.null_answers  # content null from the endpoint, scored as empty answers
    extra = suite_extras(args.suite, scores, instances, {(r["task"], r["index"]): r["prediction"] for r in rows})
    write_scores(args.out, scores, extra={**extra, PREDICTIONS: jsonl_text(rows),
                                          meta_path(Path(PREDICTIONS)).name: dumps_json(meta)})
    print(render_table(scores), end="")
    for text in extra.values():
        print("\n" + text, end="")
    print(f"wrote {args.out / PREDICTIONS}, {meta_path(Path(PREDICTIONS)).name} and scores")
    return 0
