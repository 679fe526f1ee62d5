"""``ecomlib evaluate``: generate answers on a suite with a model, write predictions.jsonl, then score.

``--model`` is a local checkpoint folder, a hub id (only from the local cache unless
``--allow-download``), or ``openai:<model>`` for an OpenAI-compatible chat endpoint
(``OPENAI_BASE_URL``, ``OPENAI_API_KEY``). Generation settings come from the profile's ``eval`` section.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ecomlib.cli import add_profile_args, profile_from_args
from ecomlib.errors import ConfigError
from ecomlib.evaluation.score_cli import add_suite_args
from ecomlib.evaluation.scoring import render_table, write_scores
from ecomlib.evaluation.suites import load_suite
from ecomlib.io import atomic_write_jsonl


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="checkpoint dir, hub id, or openai:<model>")
    add_suite_args(parser)
    add_profile_args(parser)
    parser.add_argument("--out", type=Path, required=True, help="output folder: predictions.jsonl + scores")
    parser.add_argument("--allow-download", action="store_true", help="let a hub id download (off by default)")
    parser.add_argument("--progress", action="store_true", help="show a progress bar")


def load_model(spec: str, allow_download: bool = False):
    """(model, tokenizer); tokenizer is None for an ``openai:`` chat client."""
    if spec.startswith("openai:"):
        from ecomlib.evaluation.openai_chat import ChatClient

        name = spec.split(":", 1)[1]
        if not name:
            raise ConfigError("--model openai:<model>: the model name is empty")
        return ChatClient(name), None
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(spec, local_files_only=not allow_download)
        model = AutoModelForCausalLM.from_pretrained(spec, local_files_only=not allow_download)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--model {spec!r}: cannot load a causal LM and tokenizer ({exc})") from None
    return model, tok


def run(args: argparse.Namespace) -> int:
    from ecomlib.evaluation.runner import evaluate_model

    profile = profile_from_args(args)
    instances = load_suite(args.suite, args.data_dir, profile.eval.n_per_task, candidates=args.candidates,
                           seed=args.seed, tasks=args.tasks)
    model, tok = load_model(args.model, args.allow_download)
    rows, scores = evaluate_model(model, tok, instances, profile.eval, progress=args.progress)
    atomic_write_jsonl(args.out / "predictions.jsonl", rows)
    write_scores(args.out, scores)
    print(render_table(scores), end="")
    print(f"wrote {args.out / 'predictions.jsonl'} and scores")
    return 0
