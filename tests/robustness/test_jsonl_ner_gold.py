"""A jsonl suite of one's own whose NER gold is not ``Type: span, span`` lines is refused with one line
naming the file, the line and the task: the reference parser would drop such lines silently and score
every prediction against an empty gold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecomlib.errors import DataError
from ecomlib.evaluation import load_suite
from tests.robustness.cli_helpers import one_error_line, run_cli

GOOD = {"task": "EN-MyShop-NER-brand", "prompt": "Find the brand: Acme phone", "gold": "Brand: Acme\nColor: None",
        "task_type": "NER", "lang": "en"}


def _write(tmp_path: Path, rows) -> Path:
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("gold", ["Acme", "Brand Acme", "Brand:Acme", "Brand: ", ": Acme", "", "Brand: Acme\nAcme"])
def test_a_malformed_ner_gold_is_refused_naming_file_line_and_task(tmp_path, gold):
    path = _write(tmp_path, [GOOD, {**GOOD, "gold": gold, "index": 1}])
    with pytest.raises(DataError) as exc:
        load_suite("jsonl", path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}, line 2") and "EN-MyShop-NER-brand" in msg and "Type: span" in msg and "\n" not in msg


def test_well_formed_ner_golds_and_other_task_types_are_accepted(tmp_path):
    rows = [GOOD, {**GOOD, "gold": "Brand: Acme, Zeta", "index": 1},
            {**GOOD, "task": "EN-MyShop-Extract-brand", "task_type": "Extract", "gold": "Acme"}]
    assert len(load_suite("jsonl", _write(tmp_path, rows))) == 3


def test_score_refuses_it_in_one_line(tmp_path, capsys):
    path = _write(tmp_path, [{**GOOD, "gold": "Acme"}])
    preds = tmp_path / "preds.jsonl"
    preds.write_text(json.dumps({"task": GOOD["task"], "index": 0, "prediction": "Brand: Acme"}) + "\n")
    rc, _, err = run_cli(capsys, "score", "--suite", "jsonl", "--data-dir", path, "--predictions", preds,
                         "--out", tmp_path / "out")
    one_error_line(rc, err, f"{path}, line 1", "EN-MyShop-NER-brand", "Type: span")
    assert not (tmp_path / "out").exists()
