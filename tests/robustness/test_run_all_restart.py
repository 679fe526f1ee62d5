"""``run_all.sh`` killed mid-way and started again finishes without redoing completed stages, with
the same results as a run that was never interrupted.

tests/study/test_pipeline.py covers the stage cache in-process; this is the end-to-end check of the
real command (papermill, a separate kernel, SIGKILL of the whole process tree).
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ecomlib.config import REPO_ROOT

CMD = ["bash", "run_all.sh", "--profile", "smoke", "--only", "04"]
TIMEOUT = 600  # seconds per run_all.sh invocation


def _bootstrap_is_current() -> bool:
    """run_all.sh sources scripts/bootstrap.sh, which pip-installs unless the venv is stamped current."""
    stamp = REPO_ROOT / ".venv" / ".ecomlib-installed"
    want = hashlib.sha256((REPO_ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return stamp.is_file() and stamp.read_text().strip() == want


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "ECOMLIB_WORK_DIR": str(root / "work"), "ECOMLIB_RESULTS_DIR": str(root / "results"),
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _start(root: Path) -> subprocess.Popen:
    root.mkdir(parents=True, exist_ok=True)
    log = open(root / "run_all.log", "wb")
    return subprocess.Popen(CMD, cwd=REPO_ROOT, env=_env(root), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _log(root: Path) -> str:
    return (root / "run_all.log").read_text(errors="replace")[-4000:]


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (the papermill kernel runs in a session of its own)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _kill_tree(proc: subprocess.Popen) -> None:
    tree = _descendants(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the run_all.sh group (start_new_session: pgid == pid)
    except ProcessLookupError:  # it ended by itself: the caller's assertion says why
        pass
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=30)
    time.sleep(0.5)


def _done_mtimes(work: Path) -> dict[str, int]:
    return {str(p.relative_to(work)): p.stat().st_mtime_ns for p in work.rglob("DONE.json")}


@pytest.mark.slow
def test_killed_run_all_restarts_without_redoing_stages(tmp_path):
    if not _bootstrap_is_current():
        pytest.skip("the .venv is not stamped by scripts/bootstrap.sh, so run_all.sh would pip-install into it; "
                    "run `source scripts/bootstrap.sh` once first")
    ref_root, run_root = tmp_path / "uninterrupted", tmp_path / "interrupted"
    work = run_root / "work"
    reference = _start(ref_root)  # runs alongside the interrupted one, to keep the test short
    try:
        proc = _start(run_root)
        try:
            deadline = time.monotonic() + TIMEOUT
            while not list(work.glob("model-ecomgpt/*/DONE.json")):
                assert proc.poll() is None, f"run_all.sh ended ({proc.returncode}) before any model was done:\n{_log(run_root)}"
                assert time.monotonic() < deadline, "no model-ecomgpt stage finished in time"
                time.sleep(0.2)
        finally:
            _kill_tree(proc)
        done_before = _done_mtimes(work)
        assert any(k.startswith("model-ecomgpt/") for k in done_before)

        again = subprocess.run(CMD, cwd=REPO_ROOT, env=_env(run_root), capture_output=True, timeout=TIMEOUT)
        assert again.returncode == 0, again.stdout.decode(errors="replace")[-4000:] + again.stderr.decode(errors="replace")[-4000:]
        assert reference.wait(timeout=TIMEOUT) == 0, _log(ref_root)
    finally:
        if reference.poll() is None:
            _kill_tree(reference)

    done_after = _done_mtimes(work)
    rewritten = [k for k, ns in done_before.items() if done_after.get(k) != ns]
    assert not rewritten, f"completed stages were redone: {rewritten}"
    leftovers = [str(p.relative_to(work)) for p in work.rglob("*.tmp")]
    assert not leftovers, f"temporary build folders left under the work dir: {leftovers}"

    tables, ref_tables = run_root / "results" / "tables", ref_root / "results" / "tables"
    names = sorted(p.name for p in ref_tables.glob("*.csv"))
    assert names and names == sorted(p.name for p in tables.glob("*.csv"))
    differ = [n for n in names if not filecmp.cmp(tables / n, ref_tables / n, shallow=False)]
    assert not differ, f"tables differ from the uninterrupted run: {differ}"
