"""scripts/plan_cost.py: every EcomGPT fine-tune of the plan is counted once per seed, with the rows its
selection trains on, before anything trains."""

from __future__ import annotations

import importlib.util
import json

import pytest

from ecomlib.config import REPO_ROOT, load_profile
from ecomlib.study.plan import study_plan


def _script():
    spec = importlib.util.spec_from_file_location("plan_cost", REPO_ROOT / "scripts" / "plan_cost.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_plan_cost_counts_every_fine_tune_of_the_plan(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))
    assert _script().main(["--profile", "smoke", "--rows-per-step", "8", "--rate", "xs=10", "--rate", "s=5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    runs = [(a.key, s) for a, s, _ in study_plan(load_profile("smoke")).runs() if a.family == "EcomGPT"]
    assert out["fine_tunes"] == len(runs)
    assert sum(r["fine_tunes"] for r in out["arms"].values()) == len(runs)
    full, fewest = out["arms"]["EcomGPT@xs"], out["arms"]["EcomGPT@xs[n_tasks=4]"]
    assert 0 < fewest["rows"] < full["rows"] and full["seconds"] == pytest.approx(full["steps"] / 10 * full["fine_tunes"], rel=0.01)
    assert max(r["steps"] for r in out["arms"].values()) <= 20  # smoke caps every fine-tune (max_steps 10, 2x at most)


def test_a_bad_rate_is_one_line():
    with pytest.raises(SystemExit, match="expected SIZE=STEPS_PER_SECOND"):
        _script()._rates(["s:19"])
