"""A profile's ``name`` becomes a folder under .work/ and results/ (study CLI, notebooks): one that is a
path (``../../x``, ``/abs/x``, ``a/b``) would write outside them, so it is refused with one line."""

from __future__ import annotations

import pytest

from ecomlib.config import load_profile
from ecomlib.errors import ConfigError
from tests.robustness.cli_helpers import one_error_line, run_cli

BAD = ["../../x", "/abs/x", "a/b", "..", ".", ".hidden", "a\\b", "", "x\ny"]


@pytest.mark.parametrize("name", BAD)
def test_a_name_that_is_a_path_is_refused(name):
    with pytest.raises(ConfigError, match=r"key 'name': expected a plain name"):
        load_profile("smoke", {"name": name})


def test_a_yaml_profile_with_a_path_name_is_refused(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text("name: ../../escape\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"mine.yaml: key 'name'"):
        load_profile(f)


@pytest.mark.parametrize("name", ["cpu", "my-run_2.v1", "Smoke3"])
def test_plain_names_are_accepted(name):
    assert load_profile("smoke", {"name": name}).name == name


def test_the_study_cli_refuses_it_before_writing_anything(tmp_path, capsys, monkeypatch):
    import ecomlib.config

    repo = tmp_path / "repo" / "checkout"  # where .work/<name> lands; an escape would land in tmp_path / "repo"
    monkeypatch.setattr(ecomlib.config, "REPO_ROOT", repo)
    monkeypatch.delenv("ECOMLIB_WORK_DIR", raising=False)
    rc, _, err = run_cli(capsys, "study", "--profile", "smoke", "--set", "name=../../escaped",
                         "--experiment", "model_ladder", "--out", tmp_path / "rows.json")
    one_error_line(rc, err, "'name'", "plain name")
    assert not (tmp_path / "rows.json").exists() and not (tmp_path / "repo").exists()
