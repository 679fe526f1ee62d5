"""``source scripts/bootstrap.sh`` must leave the caller's shell options alone (it used to turn on
``set -euo pipefail`` in the user's own shell) and report a failed install without killing that shell.

Runs against a copy of the repository layout with a stand-in .venv, so nothing is installed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from ecomlib.config import REPO_ROOT

PROBE = """
set +e +u; set +o pipefail
before="$-|$(set +o)"
source scripts/bootstrap.sh
rc=$?
after="$-|$(set +o)"
[ "$before" = "$after" ] && echo "options unchanged" || printf 'options changed:\\n%s\\n---\\n%s\\n' "$before" "$after"
echo "rc=$rc venv=${VIRTUAL_ENV:-none} hashseed=${PYTHONHASHSEED:-unset}"
echo "still alive"
"""


def _layout(root: Path, python: str, stamped: bool) -> None:
    (root / "scripts").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "scripts" / "bootstrap.sh", root / "scripts" / "bootstrap.sh")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text(f"#!/bin/sh\n{python}\n")
    (bin_dir / "python").chmod(0o755)
    (bin_dir / "activate").write_text(f'export VIRTUAL_ENV="{root / ".venv"}"\n')
    if stamped:
        digest = hashlib.sha256((root / "pyproject.toml").read_bytes()).hexdigest()
        (root / ".venv" / ".ecomlib-installed").write_text(digest + "\n")


def _probe(root: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHASHSEED")}
    r = subprocess.run(["bash", "-c", PROBE], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    return r.stdout + r.stderr


def test_sourcing_a_current_venv_keeps_the_callers_options(tmp_path):
    _layout(tmp_path, "exit 0", stamped=True)
    out = _probe(tmp_path)
    assert "options unchanged" in out, out
    assert f"rc=0 venv={tmp_path / '.venv'} hashseed=0" in out and "still alive" in out, out
    assert "installing" not in out  # the stamp matched: no reinstall


def test_a_failed_install_returns_non_zero_and_leaves_the_shell_alive(tmp_path):
    _layout(tmp_path, "echo 'pip: no network' >&2; exit 3", stamped=False)
    out = _probe(tmp_path)
    assert "options unchanged" in out and "still alive" in out, out
    assert "rc=3 venv=none" in out and "[bootstrap] failed (exit 3)" in out, out
    assert not (tmp_path / ".venv" / ".ecomlib-installed").exists()
