"""``run_all.sh`` options and signals: --only rejects unknown notebooks, a partial run never replaces
the full run's RUN.md, and Ctrl-C says "interrupted" and exits 130 (it used to report a failed notebook
whose kernel "may have died", exit 1). Smoke profile, notebook 01 only (seconds)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ecomlib.config import REPO_ROOT
from tests.robustness.test_run_all_restart import _bootstrap_is_current, _descendants, _env
from tests.study.test_runnb import _running  # a zombie counts as stopped

TIMEOUT = 600


def _run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "run_all.sh", "--profile", "smoke", *args], cwd=REPO_ROOT, env=_env(root),
                          capture_output=True, text=True, timeout=TIMEOUT)


def _needs_venv() -> None:
    if not _bootstrap_is_current():
        pytest.skip("the .venv is not stamped by scripts/bootstrap.sh; run `source scripts/bootstrap.sh` once first")


@pytest.mark.parametrize("only", ["99", "9x", "1_build"])
def test_only_rejects_an_unknown_notebook(tmp_path, only):
    r = _run(tmp_path, "--only", only)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"--only '{only}' is no notebook; valid numbers: 01 02 03" in r.stderr
    assert not (tmp_path / "results").exists()  # checked before anything runs or is written


@pytest.mark.slow
def test_a_partial_run_keeps_the_full_record(tmp_path):
    _needs_venv()
    results = tmp_path / "results"
    results.mkdir()
    full = "# Run record of the full run\n"
    (results / "RUN.md").write_text(full)
    (results / ".timings.tsv").write_text("01_build_ecominstruct\t9\n")
    r = _run(tmp_path, "--only", "1")  # one digit means notebook 01
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert (results / "RUN.md").read_text() == full
    assert (results / ".timings.tsv").read_text() == "01_build_ecominstruct\t9\n"
    record = (results / "RUN-only-01.md").read_text()
    assert "(partial: notebook 01 only; the full run's record is RUN.md)" in record
    assert "- started: 20" in record and "- load average (1, 5, 15 min): " in record
    assert "- stage cache: cold (empty at the start); " in record and "| 01_build_ecominstruct |" in record
    assert (results / "01_build_ecominstruct.html").is_file() and (results / "figures" / "01_ecominstruct_stats.png").is_file()
    assert oct((results / "RUN-only-01.md").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.slow
def test_ctrl_c_says_interrupted_and_exits_130(tmp_path):
    _needs_venv()
    log = open(tmp_path / "log", "w")
    proc = subprocess.Popen(["bash", "run_all.sh", "--profile", "smoke", "--only", "01"], cwd=REPO_ROOT,
                            env=_env(tmp_path), stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    executed = tmp_path / "results" / "01_build_ecominstruct.ipynb"
    try:
        deadline = time.monotonic() + TIMEOUT
        while not executed.exists():  # papermill writes it as soon as the kernel runs
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "log").read_text()
            time.sleep(0.2)
        tree = _descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground process group
        rc = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in _descendants(proc.pid) + locals().get("tree", []):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    out = (tmp_path / "log").read_text()
    assert rc == 130, out[-3000:]
    assert "run_all.sh: interrupted (SIGINT) in notebook notebooks/01_build_ecominstruct.ipynb" in out
    assert "FAILED" not in out and "may have died" not in out
    for noise in ("Traceback", "ZMQError", "Aborted!", "TCP without encryption"):  # #24: papermill's own
        assert noise not in out, out[-3000:]
    deadline = time.monotonic() + 10  # an orphan is reaped by pid 1 when it gets to it: zombies are dead
    while [p for p in tree if _running(p)] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [p for p in tree if _running(p)] == [], "the kernel outlived the run"

    assert not (tmp_path / "results" / "RUN.md").exists() and not (tmp_path / "results" / "RUN-only-01.md").exists()
