"""A papermill parameter that is no notebook parameter (``-y '{trian: ...}'``) is refused by ``start()``.

Before: papermill only logged "Passed unknown parameter" and the notebook ran the unchanged profile.
Unknown keys inside a section dict were already refused (``from_notebook(train={"lrr": 1})``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import types

import pytest
import yaml
from papermill.translators import translate_parameters

from ecomlib.config import REPO_ROOT, from_notebook, profile_path
from ecomlib.errors import ConfigError
from ecomlib.study import notebook


def _fake_kernel(monkeypatch, cells: list[str]) -> None:
    """An IPython shell whose input history holds ``cells``, as the kernel's does under papermill."""
    shell = types.SimpleNamespace(user_ns={"In": ["", *cells]})
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)


def _injected(params: dict) -> str:
    return translate_parameters("python3", "python", params)


def test_typo_in_a_papermill_parameter_is_refused(monkeypatch):
    _fake_kernel(monkeypatch, ['name = "smoke"\ntrain = None\n', _injected({"name": "smoke", "trian": {"lr": 0.1}})])
    with pytest.raises(ConfigError) as err:
        notebook.start("smoke")
    msg = str(err.value)
    assert "'trian'" in msg and "expected one of: name, seed, world, data, tokenizer, model, train, eval, study" in msg


def test_profile_file_parameters_and_papermill_paths_are_accepted(monkeypatch, tmp_path):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("ECOMLIB_RESULTS_DIR", str(tmp_path / "results"))
    params = yaml.safe_load(profile_path("cpu").read_text())  # what run_all.sh's -f configs/cpu.yaml injects
    params.update(data={"world": "synthetic"}, PAPERMILL_INPUT_PATH="in.ipynb", PAPERMILL_OUTPUT_PATH="out.ipynb")
    _fake_kernel(monkeypatch, [_injected(params)])
    sections = {k: v for k, v in params.items() if not k.startswith("PAPERMILL_")}
    assert notebook.start(**sections).profile.name == "cpu"


def test_outside_papermill_nothing_is_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("ECOMLIB_RESULTS_DIR", str(tmp_path / "results"))
    _fake_kernel(monkeypatch, ["x = 1\ntrian = 2\n"])  # a user's own variables in an interactive session
    assert notebook.start("smoke").profile.name == "smoke"
    monkeypatch.setattr("IPython.get_ipython", lambda: None)  # plain Python
    assert notebook.start("smoke").profile.name == "smoke"


def test_unknown_key_inside_a_section_was_already_refused():
    with pytest.raises(ConfigError, match=r"unknown key 'train\.lrr'"):
        from_notebook("smoke", train={"lrr": 0.1})


def _kernel_registered() -> bool:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        return "ecomlib" in KernelSpecManager().find_kernel_specs()
    except Exception:
        return False


def test_papermill_typo_fails_the_notebook(tmp_path):
    if not _kernel_registered():
        pytest.skip("the Jupyter kernel 'ecomlib' is not registered (source scripts/bootstrap.sh registers it)")
    work, results = tmp_path / "work", tmp_path / "results"
    env = {**os.environ, "ECOMLIB_WORK_DIR": str(work), "ECOMLIB_RESULTS_DIR": str(results), "MPLBACKEND": "Agg",
           "PYTHONHASHSEED": "0"}
    out = subprocess.run(
        [sys.executable, "-m", "papermill", "notebooks/01_build_ecominstruct.ipynb", str(tmp_path / "out.ipynb"),
         "-k", "ecomlib", "--cwd", "notebooks", "-y", "{trian: {lr: 0.1}}", "--log-level", "WARNING"],
        cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=300,
    )
    assert out.returncode != 0
    err = out.stdout + out.stderr
    assert "ConfigError: papermill parameter 'trian'" in err, err[-3000:]
    assert not any(work.rglob("*")) and not any(results.rglob("*"))
