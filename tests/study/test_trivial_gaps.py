"""The trivial-gap table: a model against the best trivial predictor of each row's own tasks."""

from ecomlib.config import load_profile
from ecomlib.evaluation.per_instance import instance_scores
from ecomlib.study import evidence


def test_gap_rows_per_task_type_and_language(monkeypatch, tmp_path):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path))
    p = load_profile("smoke")
    instances = evidence._instances(p, "heldout")
    preds = evidence.trivial_predictions(p, "heldout")
    # a "model" that answers like the copy-input predictor: never above the best floor of any row
    copy = instance_scores(instances, preds["copy input"])
    df = evidence.trivial_gaps(p, [copy, copy])
    assert {"UD", "UD en", "UD zh", "UD CLS"} <= set(df["tasks"])
    assert set(df["metric"]) == {"rougeL_ws", "rougeL_char"}
    assert (df["gap"] <= 1e-9).all() and (df["ci_low"] <= df["gap"]).all() and (df["gap"] <= df["ci_high"]).all()
    assert (df[df["best_trivial"] == "copy input"]["gap"].abs() < 1e-9).all()  # against itself: 0 exactly
    assert (df[df["gap"] < -1e-9]["best_trivial"] != "copy input").all()
    hi = evidence.trivial_gaps(p, [instance_scores(evidence._instances(p, "heldin"),
                                                   evidence.trivial_predictions(p, "heldin")["majority"])], "heldin")
    assert list(hi["tasks"].unique()) == ["held-in"] and (hi["n_seeds"] == 1).all()
