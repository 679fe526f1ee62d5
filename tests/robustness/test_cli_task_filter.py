"""Defect E: --task names are checked against the suite (an unknown one is an error listing the valid
names, for evaluate and score), and evaluate records the subset it ran (predictions.meta.json) so that
score re-scores its predictions without repeating --n-per-task / --task."""

from __future__ import annotations

import json

import pytest

from tests.robustness.cli_helpers import BUILD, EVAL_FAST, TASKS, gold_predictions, one_error_line, run_cli, save_tiny_lm


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return save_tiny_lm(tmp_path_factory.mktemp("tiny") / "model")


def _evaluate(capsys, model, out, *extra):
    return run_cli(capsys, "evaluate", "--model", model, "--suite", "synthetic", "--data-dir", BUILD, "--out", out,
                   *EVAL_FAST, *extra)


def test_evaluate_unknown_task_is_an_error_listing_valid_names(tiny_model, tmp_path, capsys):
    rc, _, err = _evaluate(capsys, tiny_model, tmp_path / "ev", "--task", "NoSuchTask")
    one_error_line(rc, err, "--task NoSuchTask", "no such task", *TASKS)
    assert not (tmp_path / "ev").exists()


def test_score_unknown_task_blames_the_filter_not_a_row(tmp_path, capsys):
    preds = gold_predictions(tmp_path / "p.jsonl")
    rc, _, err = run_cli(capsys, "score", "--suite", "synthetic", "--data-dir", BUILD, "--predictions", preds,
                         "--out", tmp_path / "s", "--task", TASKS[0], "--task", "NoSuchTask")
    line = one_error_line(rc, err, "--task NoSuchTask", *TASKS)
    assert "line 1" not in line


def test_score_reuses_evaluates_subset(tiny_model, tmp_path, capsys):
    ev = tmp_path / "ev"
    rc, _, err = _evaluate(capsys, tiny_model, ev, "--set", "eval.n_per_task=1", "--task", TASKS[0], "--task", TASKS[1])
    assert rc == 0, err
    meta = json.loads((ev / "predictions.meta.json").read_text())
    assert meta["suite"] == "synthetic" and meta["n_per_task"] == 1 and meta["tasks"] == sorted(TASKS[:2])
    rows = (ev / "predictions.jsonl").read_text().splitlines()
    assert len(rows) == 2
    # no --suite / --n-per-task / --task: all from the meta file
    rc, _, err = run_cli(capsys, "score", "--data-dir", BUILD, "--predictions", ev / "predictions.jsonl",
                         "--out", tmp_path / "re")
    assert rc == 0, err
    assert json.loads((tmp_path / "re" / "scores.json").read_text()) == json.loads((ev / "scores.json").read_text())


def test_score_without_meta_needs_suite(tmp_path, capsys):
    preds = gold_predictions(tmp_path / "p.jsonl")
    rc, _, err = run_cli(capsys, "score", "--data-dir", BUILD, "--predictions", preds, "--out", tmp_path / "s")
    one_error_line(rc, err, "--suite is required")


def test_score_one_task_of_a_full_predictions_file(tmp_path, capsys):
    """--task picks tasks out of a complete predictions file: the other tasks' rows are not an error."""
    preds = gold_predictions(tmp_path / "p.jsonl")
    rc, _, err = run_cli(capsys, "score", "--suite", "synthetic", "--data-dir", BUILD, "--predictions", preds,
                         "--out", tmp_path / "s", "--task", TASKS[-1])
    assert rc == 0, err
    assert list(json.loads((tmp_path / "s" / "scores.json").read_text())["tasks"]) == [TASKS[-1]]
