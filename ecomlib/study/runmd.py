"""Write results/<profile>/RUN.md: what ran, on which commit and machine, and how long each part took."""

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
    a = ap.parse_args()
    import torch

    rows = [line.split("\t") for line in Path(a.timings).read_text().splitlines() if line.strip()]
    changed = a.dirty == "1" if a.dirty is not None else bool(_git("status", "--porcelain", "--untracked-files=no"))
    dirty = " (with uncommitted changes at the start)" if changed else ""
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    lines = [
        f"# Run record: profile `{a.profile}`, world `{a.world}`",
        "",
        f"- command: `{a.command.strip()}`",
        f"- commit: `{a.commit or _git('rev-parse', 'HEAD')}`{dirty}",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPU cores, GPU: {gpu}; Python {platform.python_version()}, torch {torch.__version__}",
        f"- total wall time: {a.total} s ({a.total / 60:.1f} min)",
        "",
        "| notebook | seconds |",
        "|---|---|",
        *[f"| {name} | {secs} |" for name, secs in rows],
        "",
        "Stages are cached under `.work/`; a rerun with a warm cache is much faster than the numbers above.",
        "",
    ]
    atomic_write_text(Path(a.out) / "RUN.md", "\n".join(lines))


if __name__ == "__main__":
    main()
