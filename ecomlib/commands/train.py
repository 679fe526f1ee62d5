"""``ecomlib train``: one training stage from the shell (also under ``accelerate launch``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ecomlib import world
from ecomlib.cli import OutputSpec, add_profile_args, profile_from_args
from ecomlib.errors import DataError
from ecomlib.io import read_jsonl
from ecomlib.training import load_tokenizer, train_stage, train_tokenizer
from ecomlib.training.models import resolve_source

# a fresh (non --resume) run deletes OUT/checkpoints: never a user's folder of that name
OUTPUT = OutputSpec("out", "dir", replaces=("checkpoints",))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_profile_args(parser)
    parser.add_argument("--stage", required=True, choices=("pretrain", "general", "ecominstruct"))
    parser.add_argument("--out", required=True, type=Path,
                        help="output folder. A rerun replaces only the model files ecomlib wrote there (config.json, "
                             "weights, tokenizer files, README.md, history.jsonl, run_config.json, result.json, "
                             "checkpoints/); a folder holding such a file that ecomlib did not write is refused, "
                             "even with --overwrite")
    parser.add_argument("--size", default=None, help="model size name from the profile's ladder (default: model.default_size)")
    parser.add_argument("--init", default=None, type=Path, help="start from a previous stage's saved model folder")
    parser.add_argument("--data", default=None, type=Path,
                        help="EcomInstruct build folder (with train.jsonl) or a train.jsonl (ecominstruct stage); "
                             "a JSONL of prompt/output rows (general) or of {\"text\"} rows (pretrain)")
    parser.add_argument("--tokenizer", default=None, help="tokenizer folder or hub id (default: --init's, else trained)")
    parser.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --out")
    parser.add_argument("--no-progress", action="store_true", help="no tqdm progress bar")


def find_train_file(path: Path) -> Path:
    if path.is_file():
        return path
    if path.is_dir():
        direct = path / "train.jsonl"
        if direct.is_file():
            return direct
        found = sorted(path.rglob("train.jsonl"))
        if len(found) == 1:
            return found[0]
        raise DataError(f"{path}: expected one train.jsonl inside, found {len(found)}")
    raise DataError(f"{path}: no such file or folder (expected an EcomInstruct build folder or a train.jsonl)")


def _read_data(path: Path, stage: str) -> tuple[list[dict] | None, list[str] | None]:
    """(examples, texts) from --data, each row checked; the one the stage does not use is None."""
    path = find_train_file(path)
    rows = list(read_jsonl(path))
    if stage == "pretrain":
        for i, r in enumerate(rows, start=1):
            if not isinstance(r.get("text"), str):
                raise DataError(f"{path}, line {i}, field 'text': expected a string")
        return None, [r["text"] for r in rows]
    for i, r in enumerate(rows, start=1):
        for key in ("prompt", "output"):
            if not isinstance(r.get(key), str):
                raise DataError(f"{path}, line {i}, field {key!r}: expected a string")
    return rows, None


def _world_data(profile, stage: str) -> tuple[list[dict] | None, list[str] | None]:
    """Without --data: the synthetic world's pretraining documents or general instructions (ecominstruct
    has no default; train_stage says so)."""
    if stage == "pretrain":
        return None, list(world.iter_pretrain_text(profile.world, profile.seed))
    if stage == "general":
        return list(world.iter_general_instructions(profile.world, profile.seed)), None
    return None, None


def _default_tokenizer(profile, stage: str, examples):
    """Without --tokenizer, --init or a pretrained profile tokenizer, a fine-tuning stage's tokenizer is
    trained on the synthetic world's pretraining documents (on its own rows when there are none); the
    pretrain stage's is trained on its documents by train_stage."""
    if stage == "pretrain" or profile.tokenizer.pretrained or examples is None:
        return None  # train_stage trains or loads it, or refuses the missing examples
    source = list(world.iter_pretrain_text(profile.world, profile.seed))
    source = source or [r["prompt"] + r["output"] for r in examples]
    return train_tokenizer(source, profile.tokenizer.vocab_size, profile.tokenizer.min_frequency)


def run(args: argparse.Namespace) -> int:
    profile = profile_from_args(args)
    if args.data is not None:
        examples, texts = _read_data(args.data, args.stage)
    else:
        examples, texts = _world_data(profile, args.stage)
    if args.init is not None:  # a missing / unreachable --init fails before any data is encoded
        resolve_source(args.init, what="--init")
    if args.tokenizer:
        tokenizer = load_tokenizer(args.tokenizer, what="--tokenizer")
    else:
        tokenizer = None if args.init is not None else _default_tokenizer(profile, args.stage, examples)
    result = train_stage(
        profile, args.stage, args.out, tokenizer=tokenizer, init_from=args.init, size=args.size,
        examples=examples, texts=texts, resume=args.resume, progress=not args.no_progress,
    )
    if os.environ.get("RANK", "0") == "0":  # one line per run, also under accelerate launch
        print(f"{args.stage}: {len(result.history)} steps, final loss {result.final_loss:.4f}, "
              f"{result.tokens['trained']} trained tokens, saved to {result.out_dir}")
    return 0
