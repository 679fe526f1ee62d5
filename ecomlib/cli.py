"""The ``ecomlib`` command line: one verb per pipeline stage.

Each verb lives in its own module, which provides ``add_arguments(parser)`` and ``run(args) -> int``.
Modules are imported only when their verb runs, so ``ecomlib --help`` is instant. A user error
(``EcomlibError``) prints one clear line and exits 2, without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ecomlib.errors import EcomlibError

# verb -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "config": ("ecomlib.commands.config_cmd", "print a resolved profile (with overrides) as YAML"),
    "world": ("ecomlib.world.cli", "list the synthetic source datasets or dump sample records"),
    "sources": ("ecomlib.sources.cli", "list the open-data registry; with ECOMLIB_DATA_DIR, read every source"),
    "fetch-data": ("ecomlib.sources.fetch_cli", "download the pinned open-data files and verify their sha256"),
    "build-data": ("ecomlib.instruct.cli", "build EcomInstruct (train + held-out) for a profile and world"),
    "train": ("ecomlib.training.cli", "train a model: pretrain | general | ecominstruct stage"),
    "evaluate": ("ecomlib.evaluation.evaluate_cli", "generate on a held-out suite with a model, then score"),
    "score": ("ecomlib.evaluation.score_cli", "score a predictions file against a suite (no model needed)"),
    "study": ("ecomlib.study.cli", "run the study's experiments (the notebooks' logic) from the shell"),
}


def add_profile_args(parser: argparse.ArgumentParser, default: str = "smoke") -> None:
    """The options every profile-driven verb shares."""
    parser.add_argument("--profile", default=default, help=f"profile name in configs/ or a YAML path (default {default})")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override any profile key, e.g. --set train.lr=1e-4 (repeatable)",
    )


def profile_from_args(args: argparse.Namespace):
    from ecomlib.config import load_profile

    return load_profile(args.profile, args.overrides or None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecomlib",
        description="EcomGPT reproduction: build EcomInstruct, train, evaluate, run the study.",
    )
    parser.add_argument("--version", action="version", version=f"ecomlib {__import__('ecomlib').__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for verb, (_, help_text) in COMMANDS.items():
        sub.add_parser(verb, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0] not in COMMANDS:
        args = parser.parse_args(argv)  # prints help / errors for unknown verbs
        parser.print_help()
        return 0 if not argv else 2
    verb = argv[0]
    module_name, help_text = COMMANDS[verb]
    module = importlib.import_module(module_name)
    verb_parser = argparse.ArgumentParser(prog=f"ecomlib {verb}", description=help_text)
    module.add_arguments(verb_parser)
    args = verb_parser.parse_args(argv[1:])
    try:
        return int(module.run(args) or 0)
    except EcomlibError as exc:
        print(f"ecomlib {verb}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"ecomlib {verb}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
