"""The long results table: rows from scores.json and back without loss, CSV round trip bit for bit, and
``ecomlib study --all``'s output checks (before any compute)."""

from __future__ import annotations

import json

import pytest

from ecomlib.config import REPO_ROOT
from ecomlib.study import results
from tests.robustness.cli_helpers import one_error_line, run_cli

PIN = REPO_ROOT / "tests" / "fixtures" / "smoke_pin" / "scores"


def _table():
    rows = []
    for name, seed in (("EcomGPT@xs#seed0.heldout.json", 0), ("EcomGPT@xs#seed0.heldin.json", 0)):
        scores = json.loads((PIN / name).read_text())
        head = {"arm": "EcomGPT@xs", "label": "EcomGPT xs", "family": "EcomGPT", "size": "xs", "seed": seed,
                "suite": name.split(".")[1]}
        rows += results._task_rows(scores, head)
    trivial = json.loads((PIN / "BLOOM-like@xs#seed0.heldout.json").read_text())
    rows += results._task_rows(trivial, {"arm": "trivial:copy input", "label": "trivial: copy input",
                                         "family": "trivial", "size": "–", "seed": None, "suite": "heldout"})
    import pandas as pd

    return pd.DataFrame(rows, columns=list(results.RESULT_COLUMNS)).astype({"seed": "Int64"})


def test_the_table_holds_every_per_task_number_of_scores_json():
    index = results.scores_index(_table())
    for suite in ("heldout", "heldin"):
        want = json.loads((PIN / f"EcomGPT@xs#seed0.{suite}.json").read_text())["tasks"]
        assert index[("EcomGPT@xs", 0, suite)]["tasks"] == want
    assert ("trivial:copy input", None, "heldout") in index


def test_csv_round_trip_is_exact(tmp_path):
    df = _table()
    df.loc[0, "value"] = 0.1 + 0.2  # a float whose shortest repr has 17 digits
    results.write_results(df, tmp_path / "r.csv")
    back = results.read_results(tmp_path / "r.csv")
    assert results.scores_index(back) == results.scores_index(df)
    assert back["value"].tolist() == df["value"].tolist()
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(Exception, match="not a results table"):
        results.read_results(tmp_path / "bad.csv")


def test_study_all_refuses_a_users_folder_before_any_compute(tmp_path, capsys, monkeypatch):
    computed = []
    monkeypatch.setattr(results, "run_plan", lambda *a, **k: computed.append(1))
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    rc, _, err = run_cli(capsys, "study", "--profile", "smoke", "--all", "--out", mine, "--no-progress")
    one_error_line(rc, err, str(mine))
    assert computed == [] and (mine / "notes.txt").read_text() == "mine"


def test_study_needs_all_or_one_experiment(capsys):
    with pytest.raises(SystemExit):
        run_cli(capsys, "study", "--profile", "smoke", "--all", "--experiment", "prompts")
    with pytest.raises(SystemExit):
        run_cli(capsys, "study", "--profile", "smoke")


def test_the_claims_replicates_are_the_seeds_their_experiments_train(monkeypatch):
    """With train.seed outside study.seeds, "lr 0.003" and "1x steps" are the Full arm at seed 7: the claims
    compare the study seeds only, as before the plan (whose arms merge every row of one model)."""
    from ecomlib.config import apply_overrides, load_profile
    from ecomlib.study.plan import study_plan

    plan = study_plan(apply_overrides(load_profile("smoke"), {"train.seed": 7}))
    monkeypatch.setattr(results, "arm_model", lambda profile, arm, seed, progress=False: seed)
    monkeypatch.setattr(results.evidence, "model_instance_scores", lambda profile, model, split: model)
    assert results.replicates(plan, ["EcomGPT@xs"])["EcomGPT@xs"] == [0, 7]
    claim_rows = [*plan.main, *(r for n in results.CLAIM_EXPERIMENTS for r in plan.experiments[n].rows)]
    assert results.replicates(plan, ["EcomGPT@xs"], claim_rows)["EcomGPT@xs"] == [0]
    with pytest.raises(Exception, match="no arm 'EcomGPT@zz'"):
        results.replicates(plan, ["EcomGPT@zz"])


def test_findings_read_shared_bases_as_fixed_models(monkeypatch):
    """With train.base_seed the BLOOM-like / BLOOMZ-like arms are one trained model each: the claims read
    them as fixed (like the trivial floor), not as arms short of seeds; without it they are seed replicates."""
    from ecomlib.config import load_profile
    from ecomlib.study.claims import TRIVIAL_ARM
    from ecomlib.study.plan import study_plan

    monkeypatch.setattr(results, "arm_model", lambda profile, arm, seed, progress=False: seed)
    monkeypatch.setattr(results.evidence, "model_instance_scores", lambda profile, model, split: {})
    monkeypatch.setattr(results.evidence, "best_trivial_replicate", lambda profile: {})
    monkeypatch.setattr(results.evidence, "rows_digest", lambda profile, selection: repr(selection))
    seen = {}
    monkeypatch.setattr(results, "evaluate_claims", lambda claims, arms, **kw: seen.update(kw))
    results.findings(study_plan(load_profile("smoke", ["train.base_seed=0"])))
    assert set(seen["deterministic"]) == {TRIVIAL_ARM, "BLOOM-like@xs", "BLOOM-like@s", "BLOOMZ-like@xs", "BLOOMZ-like@s"}
    results.findings(study_plan(load_profile("smoke")))
    assert tuple(seen["deterministic"]) == (TRIVIAL_ARM,)
