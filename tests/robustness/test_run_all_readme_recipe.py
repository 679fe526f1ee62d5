"""The README's "Rerun one experiment" recipe works exactly as printed on a fresh machine (it failed with
FileNotFoundError: papermill's output folder did not exist). The command is read from the README, with
the smoke profile and a temporary folder substituted."""

from __future__ import annotations

import re
import subprocess

import pytest

from ecomlib.config import REPO_ROOT
from tests.robustness.test_run_all_restart import _bootstrap_is_current, _env


def recipe() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Rerun one experiment", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "README: no bash block in 'Rerun one experiment'"
    return block.group(1)


def test_the_recipe_is_what_this_test_runs():
    cmd = recipe()
    assert "source scripts/bootstrap.sh" in cmd and "mkdir -p /tmp/my_run" in cmd and "-p name cpu" in cmd


@pytest.mark.slow
def test_the_readme_recipe_runs_on_a_fresh_machine(tmp_path):
    if not _bootstrap_is_current():
        pytest.skip("the .venv is not stamped by scripts/bootstrap.sh, so the recipe would pip-install into it")
    folder = tmp_path / "my_run"  # does not exist yet, as on a fresh machine
    cmd = recipe().replace("/tmp/my_run", str(folder)).replace("-p name cpu", "-p name smoke")
    r = subprocess.run(["bash", "-c", cmd], cwd=REPO_ROOT, env=_env(tmp_path), capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert (folder / "05.ipynb").is_file()
    assert (folder / "tables" / "table11_prompts.csv").is_file()
