"""The pin of #22: the smoke study, run through the plan (``ecomlib study --all``), reproduces the outputs of
the code before the refactor (tests/fixtures/smoke_pin, captured by ``./run_all.sh --profile smoke`` at
d833282): Table 4, the held-in table, the findings, and every main-table model's scores.json and training
record. A broken arm key / label mapping (say BLOOM-like scored as BLOOMZ-like) changes the scores or the
training record of some row, and this test fails.

It runs in the session's ECOMLIB_WORK_DIR when one is set (scripts/test.sh sets one), so the notebooks
that run afterwards reuse its cached stages; else in a temporary folder."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from ecomlib.config import REPO_ROOT, load_profile
from ecomlib.study import pipeline, results
from ecomlib.study.plan import study_plan
from tests.robustness.cli_helpers import run_cli

PIN = REPO_ROOT / "tests" / "fixtures" / "smoke_pin"
SUITES = ("heldout", "heldin")


@pytest.fixture
def work_dir(tmp_path, monkeypatch):
    if not os.environ.get("ECOMLIB_WORK_DIR"):
        monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))


@pytest.mark.slow
def test_the_smoke_plan_reproduces_the_pinned_study(tmp_path, capsys, work_dir):
    out = tmp_path / "plan"
    rc, stdout, err = run_cli(capsys, "study", "--profile", "smoke", "--all", "--out", out, "--no-progress")
    assert rc == 0, err
    for name in ("table4_main.csv", "findings.csv"):
        assert (out / name).read_text(encoding="utf-8") == (PIN / name).read_text(encoding="utf-8"), name
    # heldin.csv gained the gap-to-trivial columns after the pin (#25): the pinned columns are unchanged
    pinned_heldin = pd.read_csv(PIN / "heldin.csv")
    got_heldin = pd.read_csv(out / "heldin.csv")
    pd.testing.assert_frame_equal(got_heldin[list(pinned_heldin.columns)], pinned_heldin)
    gaps = pd.read_csv(out / "trivial_gaps.csv")
    ecom = got_heldin[got_heldin["family"] == "EcomGPT"]
    for _, r in ecom.iterrows():  # heldin.csv's gap is trivial_gaps.csv's held-in row of that size
        g = gaps[(gaps["size"] == r["size"]) & (gaps["split"] == "heldin") & (gaps["metric"] == "rougeL_ws")]
        assert len(g) == 1 and r["held-in gap to best trivial"] == g["gap"].iloc[0]
        assert g["ci_low"].iloc[0] <= g["gap"].iloc[0] <= g["ci_high"].iloc[0]
    assert got_heldin[got_heldin["family"] != "EcomGPT"]["held-in gap to best trivial"].isna().all()
    assert set(gaps["split"]) == {"heldin", "heldout"} and set(gaps["size"]) == set(ecom["size"])

    profile = load_profile("smoke")
    plan = study_plan(profile)
    index = results.scores_index(results.read_results(out / "results.csv"))
    training = json.loads((PIN / "training.json").read_text())
    pinned = sorted(p.name for p in (PIN / "scores").iterdir())
    seen = []
    for row in plan.main:
        name = f"{row.arm.key}#seed{row.seed}"
        model_dir = results.arm_model(profile, row.arm, row.seed)
        record = json.loads((model_dir / "result.json").read_text())
        got = {k: record[k] for k in training[name]}
        # the loss is a float sum whose order depends on the torch thread count: equal to float precision
        assert got.pop("final_loss") == pytest.approx(training[name]["final_loss"], rel=1e-5), name
        assert got == {k: v for k, v in training[name].items() if k != "final_loss"}, name
        for suite in SUITES:
            want = json.loads((PIN / "scores" / f"{name}.{suite}.json").read_text())
            got = pipeline.evaluate(row.arm.profile(profile, row.seed), model_dir, suite)
            assert got == want, f"{name} {suite}: scores.json"
            assert index[(row.arm.key, row.seed, suite)]["tasks"] == want["tasks"], f"{name} {suite}: results table"
            seen.append(f"{name}.{suite}.json")
    assert sorted(seen) == pinned  # every pinned model is in the plan's main table, and only those
