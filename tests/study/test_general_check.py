"""The BLOOMZ-like check: both bases answer the general stage's held-aside rows, beside copying the input."""

from ecomlib.config import apply_overrides, load_profile
from ecomlib.study import pipeline


def test_general_check_scores_both_bases_on_rows_never_trained_on(monkeypatch, tmp_path):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path))
    p = apply_overrides(load_profile("smoke"), {"train.heldaside_fraction": 0.1, "train.general_steps": 3,
                                                "train.pretrain_steps": 3})
    got = pipeline.general_check(p, "xs")
    assert got["n_rows"] > 0
    for name in ("BLOOM-like", "BLOOMZ-like", "trivial: copy input"):
        assert set(got[name]["tasks"]) and 0 <= got[name]["mean"]["exact"] <= 100
    # copying the input is exactly right on the copy task and nowhere near on arithmetic
    tasks = got["trivial: copy input"]["tasks"]
    assert tasks["copy"]["exact"] == 100.0 and tasks.get("add", {"exact": 0})["exact"] == 0.0
    assert pipeline.general_check(p, "xs") == got  # cached


def test_general_check_is_empty_when_the_rule_is_off(monkeypatch, tmp_path):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path))
    p = apply_overrides(load_profile("smoke"), {"train.general_steps": 2, "train.pretrain_steps": 2})
    assert pipeline.general_check(p, "xs") == {"n_rows": 0}
