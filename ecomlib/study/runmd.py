"""Write results/<profile>/RUN.md: what ran, when, on which commit and machine, how loaded the machine
was, how much came from the stage cache, and how long each part took.

A partial run (``run_all.sh --only NN``) writes ``RUN-only-NN.md`` instead, so it never replaces the
record of the full run whose outputs sit beside it."""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
from pathlib import Path

from ecomlib.io import atomic_write_text


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--timings", required=True)
    ap.add_argument("--total", type=int, required=True)
    ap.add_argument("--command", required=True)
    # The tree as it was when the run *started* (run_all.sh records it then): by the end, the run's own
    # outputs under results/ are uncommitted changes themselves.
    ap.add_argument("--commit", default=None, help="HEAD at the start of the run (default: HEAD now)")
    ap.add_argument("--dirty", choices=("0", "1"), default=None,
                    help="1 if tracked files had uncommitted changes at the start (default: checked now)")
    ap.add_argument("--only", default="", help="the one notebook number of a partial run")
    ap.add_argument("--started", default=None, help="start date and time (UTC)")
    ap.add_argument("--load-start", default=None, help="1/5/15-minute load average at the start")
    ap.add_argument("--load-end", default=None, help="... at the end")
    ap.add_argument("--stages-before", type=int, default=None, help="finished stages in the cache at the start")
    ap.add_argument("--stages-after", type=int, default=None, help="... at the end")
    a = ap.parse_args()
    import torch

    rows = [line.split("\t") for line in Path(a.timings).read_text().splitlines() if line.strip()]
    changed = a.dirty == "1" if a.dirty is not None else bool(_git("status", "--porcelain", "--untracked-files=no"))
    dirty = " (with uncommitted changes at the start)" if changed else ""
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    partial = f" (partial: notebook {a.only} only; the full run's record is RUN.md)" if a.only else ""
    lines = [
        f"# Run record: profile `{a.profile}`, world `{a.world}`{partial}",
        "",
        f"- command: `{a.command.strip()}`",
        *([f"- started: {a.started}"] if a.started else []),
        f"- commit: `{a.commit or _git('rev-parse', 'HEAD')}`{dirty}",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPU cores, GPU: {gpu}; Python {platform.python_version()}, torch {torch.__version__}",
        *([f"- load average (1, 5, 15 min): {a.load_start} at the start, {a.load_end} at the end"]
          if a.load_start else []),
        *([cache_line(a.stages_before, a.stages_after)] if a.stages_before is not None else []),
        f"- total wall time: {a.total} s ({a.total / 60:.1f} min)",
        "",
        "| notebook | seconds |",
        "|---|---|",
        *[f"| {name} | {secs} |" for name, secs in rows],
        "",
        "Stages are cached under `.work/`; a rerun with a warm cache is much faster than the numbers above.",
        "",
    ]
    atomic_write_text(Path(a.out) / record_name(a.only), "\n".join(lines))


def record_name(only: str = "") -> str:
    return f"RUN-only-{only}.md" if only else "RUN.md"


def cache_line(before: int, after: int | None) -> str:
    computed = max(0, (after if after is not None else before) - before)
    state = "cold (empty at the start)" if before == 0 else f"warm ({before} finished stages at the start)"
    return f"- stage cache: {state}; {computed} stages computed by this run"


if __name__ == "__main__":
    main()
