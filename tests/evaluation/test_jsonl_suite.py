"""The custom held-out suite (``--suite jsonl``): format, per-line errors, scoring through the CLI."""

import json
from pathlib import Path

import pytest

from ecomlib.cli import main
from ecomlib.errors import ConfigError, DataError
from ecomlib.evaluation import load_suite, score

SUITE = Path(__file__).parents[1] / "fixtures" / "side_by_side" / "suite.jsonl"
ROW = {"task": "EN-Shop-CLS-sentiment", "prompt": "Review: ok\n### Response:", "gold": "positive",
       "task_type": "CLS", "lang": "en"}


def _write(tmp_path, rows) -> Path:
    path = tmp_path / "suite.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_fixture_loads_with_defaults():
    insts = load_suite("jsonl", SUITE)
    assert len(insts) == 12 and len({i.task for i in insts}) == 3
    assert [i.index for i in insts if i.task == "EN-MyShop-CLS-sentiment"] == [0, 1, 2, 3]
    assert {i.level for i in insts} == {"unseen_dataset"}
    cls = insts[0]
    assert cls.label_set == ("positive", "negative") and cls.paradigm == "CLS"
    assert len(load_suite("jsonl", SUITE, n_per_task=2)) == 6
    brand = load_suite("jsonl", SUITE, tasks=["EN-MyShop-Extract-brand"])
    assert {i.task for i in brand} == {"EN-MyShop-Extract-brand"}


def test_gold_predictions_score_100():
    insts = load_suite("jsonl", SUITE)
    scores = score(insts, {(i.task, i.index): i.gold for i in insts})
    assert scores["tasks"]["EN-MyShop-CLS-sentiment"]["miF1"] == 100
    assert scores["summary"]["corrected"]["UD_n_tasks"] == 3


def test_explicit_index_and_text_default(tmp_path):
    insts = load_suite("jsonl", _write(tmp_path, [{**ROW, "index": 5}, ROW]))
    assert [i.index for i in insts] == [5, 6]  # an implicit index continues after the largest one seen
    assert insts[0].text == insts[0].prompt


@pytest.mark.parametrize("row, message", [
    ({k: v for k, v in ROW.items() if k != "gold"}, "line 2, field 'gold': expected a str, got nothing (missing)"),
    ({**ROW, "task_type": "Classify"}, "line 2, field 'task_type': expected one of"),
    ({**ROW, "lang": "de"}, "line 2, field 'lang': expected 'en' or 'zh'"),
    ({**ROW, "output": "x"}, "line 2, field 'output': expected only the keys"),
    ({**ROW, "label_set": ["a", 1]}, "line 2, field 'label_set': expected a list of strings"),
    ({**ROW, "index": True}, "line 2, field 'index': expected an int, got bool"),
    ({**ROW, "level": "seen"}, "line 2, field 'level': expected one of"),
    ({**ROW, "prompt": " "}, "line 2, field 'prompt': expected a non-empty prompt"),
    ({**ROW, "index": 0}, "line 2, field 'index': expected a (task, index) pair not seen before"),
])
def test_bad_line_names_file_line_and_field(tmp_path, row, message):
    path = _write(tmp_path, [ROW, row])
    with pytest.raises(DataError) as err:
        load_suite("jsonl", path)
    assert str(err.value).startswith(f"{path}, ") and message in str(err.value)


def test_missing_path_directory_and_empty_file(tmp_path):
    with pytest.raises(ConfigError, match="needs --data-dir"):
        load_suite("jsonl", None)
    with pytest.raises(DataError, match="not a directory"):
        load_suite("jsonl", tmp_path)
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(DataError, match="no instances"):
        load_suite("jsonl", tmp_path / "empty.jsonl")
    with pytest.raises(DataError, match="file not found"):
        load_suite("jsonl", tmp_path / "absent.jsonl")


def test_score_cli_accepts_jsonl_suite(tmp_path, capsys):
    preds = SUITE.parent / "predictions_a.jsonl"
    assert main(["score", "--suite", "jsonl", "--data-dir", str(SUITE), "--predictions", str(preds),
                 "--out", str(tmp_path / "s")]) == 0
    scores = json.loads((tmp_path / "s" / "scores.json").read_text())
    assert scores["tasks"]["EN-MyShop-CLS-sentiment"]["acc"] == 75.0
    bad = _write(tmp_path, [{**ROW, "lang": "fr"}])
    assert main(["score", "--suite", "jsonl", "--data-dir", str(bad), "--predictions", str(preds),
                 "--out", str(tmp_path / "t")]) == 2
    assert "line 1, field 'lang'" in capsys.readouterr().err and not (tmp_path / "t").exists()
