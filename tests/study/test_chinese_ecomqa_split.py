"""ChineseEcomQA as a split of the open-world study (``ecomlib.study.chinese_ecomqa``), on a hand-written
file in the suite's ``{"system_prompt", "prompt", "gt", "task"}`` format: when it applies, which rows it
scores, the table's model and trivial rows, and the evaluation cache key naming the file's bytes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from ecomlib.config import load_profile
from ecomlib.evaluation import chinese_ecomqa as suite
from ecomlib.evaluation.registry import get_suite
from ecomlib.errors import ConfigError
from ecomlib.study import chinese_ecomqa as cqa
from ecomlib.study import pipeline
from ecomlib.sources.verify import UNPINNED_MARKER
from ecomlib.study.codedeps import stage_deps

LONG_QUERY = "儿童" * 40  # 80 characters: a copy cut at 60 would not be the unchanged query


def _row(task, prompt, gt, system="任务：示例。\n让我们开始吧！"):
    return {"system_prompt": system, "prompt": prompt, "gt": gt, "task": task}


ROWS = [
    _row("ITC", "***query***：雨伞怎么选？\n***答案***：", "怎么挑/怎么买"),
    _row("ITC", "***query***：露营带什么？\n***答案***：", "买什么"),
    _row("ITC", "***query***：冬天穿什么鞋？\n***答案***：", "买什么"),
    _row("SC", "***query***：保温杯\n***答案***：", "保温杯"),
    _row("SC", "***query***：蓝牙耳鸡\n***答案***：", "蓝牙耳机"),
    _row("SC", f"***query***：{LONG_QUERY}\n***答案***：", LONG_QUERY),
    _row("BC", "***query***：某某牌的发源地是哪里？***答案***：", "某某牌发源于杭州。"),
    _row("PC", "***个性化偏好***：{\"爱好\": \"露营\"}\n***候选品类***：A.帐篷;B.婴儿车;C.钢琴\n***答案***：", "A"),
    _row("IC", "***query***：折叠桌\n***候选类目***：户外桌,餐桌,书桌\n***答案***：", "户外桌,餐桌"),
]


def _write(data_dir: Path, rows=ROWS) -> Path:
    path = data_dir / suite.FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    (data_dir / UNPINNED_MARKER).touch()  # hand-written rows, not the pinned file
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def open_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(tmp_path))
    return load_profile("smoke", {"data.world": "open", "eval.n_per_task": 2})


def test_the_split_applies_only_in_the_open_world_with_the_file(open_profile, tmp_path):
    synthetic = load_profile("smoke", {"eval.n_per_task": 2})
    s = get_suite("chinese_ecomqa")
    assert not s.applies(open_profile) and s.instances(open_profile, None) == []
    assert "not in ECOMLIB_DATA_DIR" in s.status_note(open_profile)
    _write(tmp_path)
    assert s.applies(open_profile) and not s.applies(synthetic)
    assert pipeline.heldout_suite(synthetic, "chinese_ecomqa") == []
    assert "only the open world" in s.status_note(synthetic) and "\n" not in s.status_note(synthetic)
    assert s.status_note(open_profile).startswith("ChineseEcomQA: scored on up to 2 rows of each of 5 task codes")


def test_the_split_scores_n_per_task_rows_of_each_code_in_file_order(open_profile, tmp_path):
    _write(tmp_path)
    inst = pipeline.heldout_suite(open_profile, "chinese_ecomqa")
    by_code = {}
    for i in inst:
        by_code.setdefault(i.meta["code"], []).append(i.gold)
    assert by_code == {"ITC": ["怎么挑/怎么买", "买什么"], "SC": ["保温杯", "蓝牙耳机"], "BC": ["某某牌发源于杭州。"],
                       "PC": ["A"], "IC": ["户外桌,餐桌"]}
    assert inst == pipeline.heldout_suite(open_profile, "chinese_ecomqa")  # deterministic


def test_the_trivial_predictors_copy_the_query_for_sc_and_the_input_for_generation(open_profile, tmp_path):
    _write(tmp_path, ROWS + [_row("BC", "***query***：" + "很长的问题" * 20 + "***答案***：", "x")])
    p3 = load_profile("smoke", {"data.world": "open", "eval.n_per_task": 3})
    items = get_suite("chinese_ecomqa").instances(p3, None)
    preds = cqa.trivial_predictions(items)
    copy, maj = preds["copy input"], preds["majority"]
    sc = {i.gold: copy[(i.task, i.index)] for i in items if i.meta["code"] == "SC"}
    assert sc == {"保温杯": "保温杯", "蓝牙耳机": "蓝牙耳鸡", LONG_QUERY: LONG_QUERY}  # the whole query, unchanged
    bc = [copy[(i.task, i.index)] for i in items if i.meta["code"] == "BC"]
    assert bc == ["某某牌的发源地是哪里？", ("很长的问题" * 20)[:60]]  # no field marker, no answer slot
    # ITC golds 怎么挑/怎么买, 买什么, 买什么: the first row's others say 买什么; the others tie, smallest wins
    assert [maj[(i.task, i.index)] for i in items if i.meta["code"] == "ITC"] == ["买什么", "买什么", "买什么"]
    pc = next(i for i in items if i.meta["code"] == "PC")
    assert cqa.options(pc) == ("A", "B", "C") and preds["random option"][(pc.task, pc.index)] in "ABC"
    assert {preds["random option"][(i.task, i.index)] for i in items if i is not pc} == {""}


class _FakeModels:
    """``pipeline.cached`` running each stage into a folder of its own, and a "model" answering the gold
    (a folder named ``good``) or nothing: no training, no generation."""

    def __init__(self, monkeypatch, root: Path):
        import ecomlib.evaluation.generation
        import ecomlib.training

        self.root, self.params = root, []
        monkeypatch.setattr(pipeline, "build_data", lambda profile, progress=False: root / "data")
        monkeypatch.setattr(pipeline, "cached", self.cached)
        monkeypatch.setattr(ecomlib.training, "load_model", lambda model_dir, dtype=None: Path(model_dir).name)
        monkeypatch.setattr(ecomlib.training, "load_tokenizer", lambda model_dir: None)
        monkeypatch.setattr(ecomlib.evaluation.generation, "place_for_inference", lambda m: m)
        monkeypatch.setattr(pipeline, "evaluate_model", self.evaluate_model)  # the pipeline imports it by name

    def cached(self, stage, params, run, deps=()):
        self.params.append((params, deps))
        out = self.root / "cache" / hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
        if not out.is_dir():
            out.mkdir(parents=True)
            run(out)
        return out

    @staticmethod
    def evaluate_model(model, tokenizer, instances, eval_cfg, progress=False):
        from ecomlib.evaluation.scoring import score

        preds = {(i.task, i.index): i.gold if model == "good" else "" for i in instances}
        rows = [{"task": t, "index": n, "prediction": p} for (t, n), p in preds.items()]
        return rows, score(instances, preds)


def test_the_evaluation_key_names_the_file_and_changes_with_it(open_profile, tmp_path, monkeypatch):
    path = _write(tmp_path)
    fake = _FakeModels(monkeypatch, tmp_path / "work")
    first = pipeline.evaluation_dir(open_profile, tmp_path / "good", "chinese_ecomqa")
    params, deps = fake.params[-1]
    assert params["source"] == {"file": suite.FILE.as_posix(),
                                        "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    assert {"evaluation/registry.py", "evaluation/chinese_ecomqa.py"} <= set(deps)
    assert tuple(deps) == stage_deps("evaluation_dir")
    assert pipeline.evaluation_dir(open_profile, tmp_path / "good", "chinese_ecomqa") == first
    _write(tmp_path, ROWS[:-1])  # one row fewer: the cached scores are of another file
    second = pipeline.evaluation_dir(open_profile, tmp_path / "good", "chinese_ecomqa")
    assert second != first
    scores = json.loads((second / "scores.json").read_text())
    assert sorted(t["code"] for t in scores["chinese_ecomqa"]["per_task"].values()) == ["BC", "ITC", "PC", "SC"]


def test_the_table_has_a_row_per_model_and_per_trivial_predictor(open_profile, tmp_path, monkeypatch):
    _write(tmp_path)
    _FakeModels(monkeypatch, tmp_path / "work")
    runs = [{"family": fam, "size": "xs", "seed": seed, "model_dir": str(tmp_path / ("good" if seed == 0 else "bad"))}
            for fam in ("BLOOM-like", "EcomGPT") for seed in (0, 1)]
    t = cqa.table(open_profile, runs).set_index("Model")
    assert list(t.index) == ["BLOOM-like xs", "EcomGPT xs", "trivial: majority", "trivial: random option",
                             "trivial: copy input", "trivial: best per code"]
    assert list(t.columns) == ["family", "size", "n_seeds", *cqa.columns(), "mean", "mean sd"]
    # seed 0 answers the gold (100 everywhere), seed 1 nothing (0): mean 50, seed sd of the mean 70.71
    assert t.loc["EcomGPT xs", "mean"] == 50.0 and t.loc["EcomGPT xs", "mean sd"] == pytest.approx(70.71)
    assert t.loc["EcomGPT xs", "n_seeds"] == 2 and t.loc["trivial: majority", "family"] == "trivial"
    assert t.loc["trivial: copy input", "SC exact"] == 50.0  # the unchanged query is right once in two
    # ITC's two rows: each gets the other's answer (leave one out), never its own
    assert t.loc["trivial: majority", "ITC exact"] == 0.0 and t.loc["trivial: majority", "SC exact"] == 0.0
    best = t.loc["trivial: best per code"]
    assert best["SC exact"] == 50.0 and best["BC rougeL_char"] == t.loc["trivial: copy input", "BC rougeL_char"]
    present = [best[c] for c in cqa.columns() if pd.notna(best[c])]
    assert len(present) == 5 and best["mean"] == round(sum(present) / 5, 2)
    assert t.loc["trivial: random option", "PC exact"] in (0.0, 100.0) and t["RLC exact"].isna().all()  # a code absent from the file: an empty column


def test_the_table_refuses_a_run_where_the_split_does_not_apply(open_profile):
    with pytest.raises(ConfigError, match="not in ECOMLIB_DATA_DIR"):
        cqa.table(open_profile, [])
