"""``ecomlib study``: run the study plan, or one of its experiments, from the shell (no notebook).

    ecomlib study --profile smoke --all --out results/smoke/plan
    ecomlib study --profile cpu --experiment cot_overall --out results/cpu/cot_overall.json

``--all`` trains and scores every arm of ``ecomlib.study.plan.study_plan`` (Table 4's models, every
experiment, the hyperparameter checks; cached stages, so a rerun reads the cache) and writes into the folder
``--out``: ``results.csv`` (the long results table), ``table4_main.csv``, ``heldin.csv`` and ``findings.csv``
(every claim), each atomically. ``--experiment`` writes one experiment's rows as JSON into the file ``--out``.

Imports: the study (``plan``, ``results``, ``experiments``) and the dispatcher's output helpers.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from ecomlib.cli import OutputSpec, add_profile_args, claimed_output, profile_from_args
from ecomlib import config
from ecomlib.errors import DataError
from ecomlib.io import atomic_write_json, atomic_write_text
from ecomlib.study import experiments, results
from ecomlib.study.plan import EXPERIMENTS, study_plan

# --all: a folder this verb owns (claimed by the dispatcher); --experiment: one JSON file in any folder,
# claimed in run() (an OutputSpec has one kind, so the file case skips the dispatcher's claim).
OUTPUT = OutputSpec("out", "dir", skip_if="experiment")
EXPERIMENT_OUTPUT = OutputSpec("out", "file")
PLAN_FILES = ("results.csv", "table4_main.csv", "heldin.csv", "trivial_gaps.csv", "findings.csv")


def add_arguments(parser) -> None:
    add_profile_args(parser)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--all", action="store_true",
                      help="run the whole plan (Table 4's arms, every experiment, the claims); --out is a folder")
    what.add_argument("--experiment", choices=tuple(EXPERIMENTS), help="run one experiment; --out is a JSON file")
    parser.add_argument("--out", type=Path, help="--all: the folder to write into; --experiment: the JSON file")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")


def _why(exc: OSError) -> str:
    """strerror and errno name of a file-system failure, without the file name it carries (a temporary)."""
    name = errno.errorcode.get(exc.errno, "") if exc.errno else ""
    why = exc.strerror or str(exc) or type(exc).__name__
    return f"{why}, {name}" if name else why


def check_writable(path: Path, flag: str = "--out") -> None:
    """DataError naming ``path`` unless a file can be created in its folder: checked before minutes of
    compute, not found out when the result is written (the probe file is removed at once)."""
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


def write_text(path: Path, text: str, flag: str = "--out") -> None:
    """One table into ``path`` atomically; a failure names ``path``."""
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise DataError(f"{flag} {path}: cannot write ({_why(exc)})") from None


def run_all(profile, out: Path | None, progress: bool) -> int:
    """The whole plan: the results table, Table 4, the held-in table and the findings into ``out``."""
    if out is not None:
        check_writable(out / PLAN_FILES[0])
    plan = study_plan(profile)
    table = results.run_plan(plan, progress=progress)
    tables = {"results.csv": table, "table4_main.csv": results.table4(table, plan),
              "heldin.csv": results.heldin_table(table, plan), "trivial_gaps.csv": results.trivial_gap_table(plan),
              "findings.csv": results.findings(plan)}
    verdicts = tables["findings.csv"]["verdict"].value_counts()
    print(f"{len(plan.runs())} models, {len(table)} result rows; findings: "
          + ", ".join(f"{n} {v}" for v, n in verdicts.items()))
    if out is not None:
        for name, df in tables.items():
            write_text(out / name, df.to_csv(index=False))
    return 0


def run_experiment(profile, args) -> int:
    """One experiment's rows, printed and (with --out) written as JSON."""
    with claimed_output("study", EXPERIMENT_OUTPUT, args):
        if args.out:
            check_writable(Path(args.out))
        rows = experiments.run(profile, args.experiment, progress=not args.no_progress)
        cols = ("label", "size", "seed", "UD_miF1", "UD_maF1", "UD_rougeL", "UD_rougeL_c")
        print("\t".join(cols))
        for r in rows:
            print("\t".join(str(r.get(c)) for c in cols))
        if args.out:
            write_rows(Path(args.out), rows)
    return 0


def run(args) -> int:
    profile = profile_from_args(args)
    # config.REPO_ROOT, not an imported name: tests move the root
    os.environ.setdefault("ECOMLIB_WORK_DIR", str(config.REPO_ROOT / ".work" / profile.name))
    if args.all:
        return run_all(profile, Path(args.out) if args.out else None, progress=not args.no_progress)
    return run_experiment(profile, args)
