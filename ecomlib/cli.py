"""The ``ecomlib`` command line: one verb per pipeline stage.

Each verb lives in its own module under ``ecomlib/commands/``, which provides ``add_arguments(parser)`` and ``run(args) -> int``.
Modules are imported only when their verb runs, so ``ecomlib --help`` is instant. A user error
(``EcomlibError``) or a file-system failure (``OSError``: full disk, read-only mount, ...) prints one
clear line and exits 2, without a traceback.

A verb that writes declares ``OUTPUT = OutputSpec(...)``: the dispatcher adds ``--overwrite`` and, before
the verb runs, claims the output (``ecomlib.io.claim_output_dir``): it refuses a non-empty folder that
ecomlib did not create, so no verb replaces or deletes a user's files; a folder it created for a verb
that then fails is removed again if the verb left it empty.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ecomlib import io
from ecomlib.config import load_profile
from ecomlib.errors import EcomlibError
from ecomlib.io import describe_os_error

# verb -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "config": ("ecomlib.commands.config", "print a resolved profile (with overrides) as YAML"),
    "world": ("ecomlib.commands.world", "list the synthetic source datasets or dump sample records"),
    "sources": ("ecomlib.commands.sources", "list the open-data registry; with ECOMLIB_DATA_DIR, read every source"),
    "fetch-data": ("ecomlib.commands.fetch_data", "download the pinned open-data files and verify their sha256"),
    "build-data": ("ecomlib.commands.build_data", "build EcomInstruct (train + held-out) for a profile and world"),
    "export": ("ecomlib.commands.export", "export a built EcomInstruct as chat or prompt/completion JSONL"),
    "train": ("ecomlib.commands.train", "train a model: pretrain | general | ecominstruct stage"),
    "evaluate": ("ecomlib.commands.evaluate", "generate on a held-out suite with a model, then score"),
    "score": ("ecomlib.commands.score", "score a predictions file against a suite (no model needed)"),
    "study": ("ecomlib.commands.study", "run the study plan (every arm, Table 4, the findings) or one experiment from the shell"),
}


@dataclass(frozen=True)
class OutputSpec:
    """Where a verb writes. ``target``: "dir" (a folder the verb owns), "file" (one file in any folder), or
    "data" (a shared folder the verb only adds verified files to). ``replaces``: sub-folders a "dir" verb
    deletes and rewrites as a whole. ``skip_if``: a flag under which the verb writes nothing."""

    arg: str = "out"
    target: str = "dir"
    replaces: tuple[str, ...] = ()
    skip_if: str | None = None

    def path(self, args: argparse.Namespace) -> Path | None:
        if self.skip_if and getattr(args, self.skip_if, False):
            return None
        value = getattr(args, self.arg, None)
        return None if value is None else Path(value)

    @property
    def flag(self) -> str:
        return "--" + self.arg.replace("_", "-")


@contextlib.contextmanager
def claimed_output(verb: str, spec: OutputSpec | None, args: argparse.Namespace) -> Iterator[None]:
    """Claim the verb's output before it runs; on failure release a folder created here and left empty."""
    path = spec.path(args) if spec else None
    if path is None:
        yield
        return
    overwrite = bool(getattr(args, "overwrite", False))
    if spec.target == "file":
        io.claim_output_file(path, verb, overwrite, spec.flag)
        yield
        if path.is_file():
            io.record_output_file(path, verb)
        return
    if spec.target == "data":
        io.check_output_location(path, spec.flag)
        path.mkdir(parents=True, exist_ok=True)
        yield
        return
    created = io.claim_output_dir(path, verb, overwrite, spec.flag, spec.replaces)
    try:
        yield
    except BaseException:
        if created:
            io.release_output_dir(path)
        raise


def add_profile_args(parser: argparse.ArgumentParser, default: str = "smoke") -> None:
    """The options every profile-driven verb shares."""
    parser.add_argument("--profile", default=default, help=f"profile name in configs/ or a YAML path (default {default})")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override any profile key, e.g. --set train.lr=1e-4 (repeatable)",
    )


def profile_from_args(args: argparse.Namespace):
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


def leave_process_group() -> None:
    """Under ``accelerate launch``, after a verb succeeded: drop the run's objects, wait for every rank, then
    destroy the process group, so that no rank tears its gloo group down while another still uses it.

    Why: the exit hook (``ecomlib.distributed``) destroys the group only while the interpreter finalises, after
    each rank left on its own; a fresh-clone CI run lost rank 1 of a two-process DeepSpeed ZeRO-3 fine-tune
    there ("terminate called without an active exception", SIGABRT) after the run had been saved. Collecting
    the garbage first frees the engine (its pending gloo work) while the group is alive. A failed verb skips
    this: a barrier would hang on the ranks that did not fail."""
    dist = sys.modules.get("torch.distributed")  # a verb that never imported torch has no group to leave
    if dist is None or not dist.is_available() or not dist.is_initialized():
        return
    gc.collect()
    dist.barrier()
    dist.destroy_process_group()


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
    spec: OutputSpec | None = getattr(module, "OUTPUT", None)
    if spec is not None:
        verb_parser.add_argument("--overwrite", action="store_true",
                                 help="write into an existing non-empty output that ecomlib did not create "
                                      "(only ecomlib's own files in it are replaced)")
    args = verb_parser.parse_args(argv[1:])
    try:
        with claimed_output(verb, spec, args):
            rc = int(module.run(args) or 0)
        leave_process_group()
        return rc
    except EcomlibError as exc:
        print(f"ecomlib {verb}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        where_hint = spec.path(args) if spec else None
        print(f"ecomlib {verb}: error: file system: {describe_os_error(exc, where_hint)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"ecomlib {verb}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
