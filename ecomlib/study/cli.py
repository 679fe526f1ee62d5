"""``ecomlib study``: run one of the paper's experiments from the shell (the notebooks' logic, no notebook).

    ecomlib study --profile cpu --experiment cot_overall --out results/cpu/cot_overall.json
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ecomlib.cli import OutputSpec, add_profile_args, profile_from_args
from ecomlib.errors import ConfigError, DataError
from ecomlib.io import atomic_write_json

EXPERIMENTS = (
    "model_ladder", "cot_overall", "cot_by_paradigm", "prompts", "cross_language", "cross_paradigm",
    "task_scaling", "data_scaling",
)

OUTPUT = OutputSpec("out", "file")  # one JSON file, in any folder


def add_arguments(parser) -> None:
    add_profile_args(parser)
    parser.add_argument("--experiment", required=True, choices=EXPERIMENTS, help="which experiment to run")
    parser.add_argument("--out", type=Path, help="write the result rows as JSON here")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")


def _why(exc: OSError) -> str:
    """strerror and errno name of a file-system failure, without the file name it carries (a temporary)."""
    import errno

    name = errno.errorcode.get(exc.errno, "") if exc.errno else ""
    why = exc.strerror or str(exc) or type(exc).__name__
    return f"{why}, {name}" if name else why


def check_writable(path: Path, flag: str = "--out") -> None:
    """DataError naming ``path`` unless a file can be created in its folder: checked before minutes of
    compute, not found out when the result is written (the probe file is removed at once)."""
    import tempfile

    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=path.parent)
    except OSError as exc:
        raise DataError(f"{flag} {path}: cannot write into {path.parent} ({_why(exc)})") from None
    os.close(fd)
    os.unlink(probe)


def write_rows(path: Path, rows, flag: str = "--out") -> None:
    """The result rows into ``path``; a failure names ``path``, never the temporary file beside it."""
    try:
        atomic_write_json(path, rows)
    except OSError as exc:
        raise DataError(f"{flag} {path}: cannot write ({_why(exc)})") from None


def run(args) -> int:
    from ecomlib.config import REPO_ROOT
    from ecomlib.study import experiments

    profile = profile_from_args(args)
    if args.out:
        check_writable(Path(args.out))
    os.environ.setdefault("ECOMLIB_WORK_DIR", str(REPO_ROOT / ".work" / profile.name))
    make = getattr(experiments, args.experiment, None)
    if make is None:
        raise ConfigError(f"unknown experiment {args.experiment!r}; expected one of {EXPERIMENTS}")
    rows = experiments.run(profile, make(profile), progress=not args.no_progress)
    cols = ("label", "size", "seed", "UD_miF1", "UD_maF1", "UD_rougeL", "UD_rougeL_c")
    print("\t".join(cols))
    for r in rows:
        print("\t".join(str(r.get(c)) for c in cols))
    if args.out:
        write_rows(Path(args.out), rows)
    return 0
