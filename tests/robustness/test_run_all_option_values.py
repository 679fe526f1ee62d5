"""``run_all.sh``: an option given without its value (``--only`` last, or followed by another option, or
empty) exits 2 with one line naming the option; it used to exit 1 with bash's own
``line 34: 2: --only needs a notebook number``. Checked before anything runs or is written."""

from __future__ import annotations

import subprocess

import pytest

from ecomlib.config import REPO_ROOT


@pytest.mark.parametrize("args, option", [
    (["--only"], "--only"),
    (["--only", "--profile", "smoke"], "--only"),
    (["--profile"], "--profile"),
    (["--world", ""], "--world"),
    (["--profile", "smoke", "--only"], "--only"),
])
def test_an_option_without_its_value_is_one_line_and_rc_2(tmp_path, args, option):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ECOMLIB_RESULTS_DIR": str(tmp_path / "results"),
           "ECOMLIB_WORK_DIR": str(tmp_path / "work")}
    r = subprocess.run(["bash", "run_all.sh", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"run_all.sh: {option} needs ") and "line " not in lines[0], lines
    assert r.stdout == "" and not (tmp_path / "results").exists() and not (tmp_path / "work").exists()
