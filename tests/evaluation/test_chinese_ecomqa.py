"""ChineseEcomQA as a third suite: loading, per-code metrics, evaluate/score CLIs (hand-written fixture)."""

import json

import pytest

from ecomlib.cli import main
from ecomlib.errors import DataError
from ecomlib.evaluation import chinese_ecomqa as ceq
from ecomlib.evaluation.suites import load_suite
from tests.evaluation.conftest import FIXTURES

CEQ = FIXTURES / "chinese_ecomqa"  # a data directory: OpenStellarTeam/ChineseEcomQA/data/ChineseEcomQA.jsonl


def test_loads_one_task_per_code_with_the_system_prompt_first():
    insts = load_suite("chinese_ecomqa", CEQ)
    assert len(insts) == 12 and len({i.task for i in insts}) == 10
    idc = [i for i in insts if i.task == "ZH-ChineseEcomQA-Generate-IDC"]
    assert [i.index for i in idc] == [0, 1] and idc[1].gold == "平铺阴干"
    assert idc[0].prompt.startswith("根据电商知识问题") and idc[0].prompt.endswith("***答案***：")
    assert load_suite("chinese_ecomqa", CEQ / ceq.FILE, 1) == [i for i in insts if i.index == 0]


@pytest.mark.parametrize("code,pred,gold,want", [
    ("ITC", " 买什么。", "买什么", 1.0),                # exact after normalisation
    ("SC", "电热水虎", "电热水壶", 0.0),                # an uncorrected query is wrong, however close
    ("IC", "头盔，童车", "童车,头盔", 1.0),              # set F1: order and comma width do not matter
    ("IC", "童车", "童车,头盔", 2 / 3),
    ("BC", "示例牌主营茶杯", "示例牌主营茶杯、茶壶等茶具", 2 * 7 / (7 + 12)),  # char Rouge-L
])
def test_each_code_has_its_metric(code, pred, gold, want):
    assert ceq.instance_score(ceq.HEADLINE[code], pred, gold) == pytest.approx(want)


def test_every_code_of_the_benchmark_has_a_metric_and_a_task_type():
    assert set(ceq.HEADLINE) == set(ceq.TASK_TYPE) == {"ITC", "RLC", "PC", "RVC", "CC", "SC", "IC", "AC", "BC", "IDC"}


def test_bad_rows_are_one_clear_error(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text('{"system_prompt": "s", "prompt": "p", "gt": "g", "task": "XX"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"x.jsonl, line 1, field 'task': expected one of"):
        load_suite("chinese_ecomqa", f)
    f.write_text('{"system_prompt": "s", "prompt": "p", "task": "BC"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"line 1, field 'gt': expected a string"):
        load_suite("chinese_ecomqa", f)
    with pytest.raises(DataError, match="not found"):
        load_suite("chinese_ecomqa", tmp_path / "nowhere")


def test_score_cli_gold_is_100_per_code(tmp_path, capsys):
    insts = load_suite("chinese_ecomqa", CEQ)
    preds = tmp_path / "p.jsonl"
    preds.write_text("".join(json.dumps({"task": i.task, "index": i.index, "prediction": i.gold}, ensure_ascii=False)
                             + "\n" for i in insts), encoding="utf-8")
    out = tmp_path / "s"
    assert main(["score", "--suite", "chinese_ecomqa", "--data-dir", str(CEQ), "--predictions", str(preds),
                 "--out", str(out)]) == 0
    scores = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    s = scores["chinese_ecomqa"]
    assert s["mean"] == 100.0 and {t["metric"] for t in s["per_task"].values()} == {"exact", "set_f1", "rougeL_char"}
    assert "| mean of 10 tasks |" in (out / "chinese_ecomqa.md").read_text(encoding="utf-8")
    assert "ZH-ChineseEcomQA-Extract-AC" in capsys.readouterr().out


def test_evaluate_cli_with_a_tiny_model(tiny_lm, tmp_path):
    _, _, path = tiny_lm
    out = tmp_path / "ev"
    assert main(["evaluate", "--model", str(path), "--suite", "chinese_ecomqa", "--data-dir", str(CEQ),
                 "--out", str(out), "--set", "eval.max_new_tokens=3", "--set", "eval.max_prompt_tokens=48"]) == 0
    rows = (out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 12  # the whole suite by default, as for the published one
    first = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert set(first["chinese_ecomqa"]["per_task"]) == {i.task for i in load_suite("chinese_ecomqa", CEQ)}
    # re-scoring evaluate's predictions (suite taken from predictions.meta.json) gives the same numbers
    assert main(["score", "--data-dir", str(CEQ), "--predictions", str(out / "predictions.jsonl"),
                 "--out", str(tmp_path / "re")]) == 0
    again = json.loads((tmp_path / "re" / "scores.json").read_text(encoding="utf-8"))
    assert again["chinese_ecomqa"] == first["chinese_ecomqa"]


def test_real_file_loads_and_gold_scores_100(data_dir):
    insts = load_suite("chinese_ecomqa", data_dir)
    assert len(insts) == 1800 and len({i.task for i in insts}) == 10
    s = ceq.summary(insts, {(i.task, i.index): i.gold for i in insts})
    assert s["mean"] == 100.0
