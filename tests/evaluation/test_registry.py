"""The suite registry (``ecomlib.evaluation.registry``): every suite declared once, which apply to which
profile, and each suite's instances equal to what the code path before the registry returned (pinned
below: counts, first ids and a digest of every instance, computed with the old functions at 4b26308)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from ecomlib.config import load_profile
from ecomlib.errors import ConfigError
from ecomlib.evaluation.registry import SUITES, Suite, get_suite, suites_for
from ecomlib.evaluation.scoring import score
from ecomlib.evaluation.summary import task_meta
from ecomlib.instruct import leak_guard
from ecomlib.schema import PARADIGM_OF_TASK_TYPE
from ecomlib.sources.published_eval import ECOMGPT_SUBDIR
from ecomlib.study import pipeline
from tests.evaluation.conftest import ECOMGPT_FIXTURE, FIXTURES

NAMES = ("heldout", "heldin", "ecomgpt", "chinese_ecomqa")
PACKAGE = Path(__file__).resolve().parents[2] / "ecomlib"


def _digest(instances) -> list:
    blob = json.dumps([dataclasses.asdict(i) for i in instances], ensure_ascii=False, sort_keys=True, default=list)
    return [len(instances), [f"{i.task}#{i.index}" for i in instances[:2]], hashlib.sha256(blob.encode()).hexdigest()[:16]]


@pytest.fixture
def fixture_data(tmp_path, monkeypatch):
    """A data directory holding the 13 published fixture folders and the ChineseEcomQA fixture (unpinned)."""
    d = tmp_path / "data"
    shutil.copytree(ECOMGPT_FIXTURE, d / ECOMGPT_SUBDIR)
    shutil.copytree(FIXTURES / "chinese_ecomqa", d, dirs_exist_ok=True)
    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(d))
    return d


def test_every_suite_is_declared_once_in_a_fixed_order():
    assert tuple(SUITES) == NAMES
    assert all(isinstance(s, Suite) and s.name == n and s.description for n, s in SUITES.items())
    # no second list of the suite names anywhere in the library (the old pipeline.SPLITS)
    literal = re.compile(r"""\(\s*["']heldout["'],\s*["']heldin["'],\s*["']ecomgpt["']""")
    assert [p for p in PACKAGE.rglob("*.py") if literal.search(p.read_text(encoding="utf-8"))] == []


def test_an_unknown_suite_is_a_config_error_listing_the_names():
    with pytest.raises(ConfigError, match="'nope': expected one of heldout, heldin, ecomgpt, chinese_ecomqa"):
        get_suite("nope")
    with pytest.raises(ConfigError, match="expected one of"):
        pipeline.heldout_suite(load_profile("smoke"), "held-out")


def test_suites_for_each_world(fixture_data, tmp_path, monkeypatch):
    smoke = load_profile("smoke")
    open_p = load_profile("smoke", {"data.world": "open"})
    assert [s.name for s in suites_for(smoke)] == ["heldout", "heldin"]  # the files are there, the world is not open
    assert [s.name for s in suites_for(open_p)] == list(NAMES)
    assert [s.name for s in suites_for(load_profile("smoke", {"data.heldin_per_task": 0}))] == ["heldout"]
    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    assert [s.name for s in suites_for(open_p)] == ["heldout", "heldin"]
    monkeypatch.delenv("ECOMLIB_DATA_DIR")
    assert [s.name for s in suites_for(open_p)] == ["heldout", "heldin"]
    assert "only the open world" in get_suite("ecomgpt").status_note(smoke)


def test_published_suites_give_what_the_old_code_path_gave(fixture_data):
    p = load_profile("smoke", {"data.world": "open"})
    assert _digest(pipeline.heldout_suite(p, "ecomgpt")) == [
        31, ["EN-ABSA-CLS-review_topic_category#0", "EN-ABSA-CLS-review_topic_category#1"], "e8a0efa1126f4d45"]
    assert _digest(pipeline.heldout_suite(p, "chinese_ecomqa")) == [
        12, ["ZH-ChineseEcomQA-CLS-CC#0", "ZH-ChineseEcomQA-CLS-IC#0"], "37dcf1bbaf5c6630"]
    # the leak guard reads the same texts as before it moved below evaluation
    texts = {s.name: [s.what, s.instances, hashlib.sha256("\n".join(sorted(s.exact)).encode()).hexdigest()[:16],
                      hashlib.sha256("\n".join(sorted(s.normalised)).encode()).hexdigest()[:16]]
             for s in leak_guard.suites_present(fixture_data)}
    assert texts == {"ecomgpt": ["13 published folders", 33, "7fa5d3132c8e0af8", "0c9ab8150d55397e"],
                     "chinese_ecomqa": ["OpenStellarTeam/ChineseEcomQA/data/ChineseEcomQA.jsonl", 12,
                                        "267e193efca3f276", "3d5131ee23e4895e"]}


def test_built_suites_give_what_the_old_code_path_gave(tmp_path, monkeypatch):
    """The smoke build's held-out and held-in splits (a 3-second build into a temporary work folder)."""
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))
    smoke = load_profile("smoke")
    assert _digest(pipeline.heldout_suite(smoke, "heldout")) == [
        96, ["EN-ABSA-CLS-topic_classify#0", "EN-ABSA-CLS-topic_classify#1"], "ca29c34e873503a4"]
    heldin = pipeline.heldout_suite(smoke, "heldin")
    assert _digest(heldin) == [
        36, ["EN-AmazonTitleNER-NER-ner#0", "EN-AmazonTitleNER-NER-ner#1"], "236aa191c266eac2"]
    assert all(i.paradigm == PARADIGM_OF_TASK_TYPE[i.task_type] for i in heldin)  # as every suite's


def test_every_suite_carries_the_same_instance_metadata(fixture_data):
    p = load_profile("smoke", {"data.world": "open"})
    for name in ("ecomgpt", "chinese_ecomqa"):
        instances = pipeline.heldout_suite(p, name)
        for inst in instances:
            assert inst.task and inst.lang in ("en", "zh") and inst.level in ("unseen_dataset", "unseen_task", "")
            assert inst.paradigm == PARADIGM_OF_TASK_TYPE[inst.task_type], name  # task_meta derives it
        preds = {(i.task, i.index): i.gold for i in instances}
        meta = task_meta(score(instances, preds))
        assert meta == {i.task: {"level": i.level, "lang": i.lang, "paradigm": i.paradigm, "task_type": i.task_type}
                        for i in instances}


def test_summaries_and_sources(fixture_data):
    p = load_profile("smoke", {"data.world": "open"})
    assert get_suite("heldout").source(p) == {} and get_suite("heldin").source(p) == {}
    assert set(get_suite("ecomgpt").source(p)) == set(get_suite("ecomgpt").status()["present"])
    assert get_suite("chinese_ecomqa").source(p)["file"] == "OpenStellarTeam/ChineseEcomQA/data/ChineseEcomQA.jsonl"
    assert get_suite("ecomgpt").source(load_profile("smoke")) == {}  # nothing read outside the open world
    scores = {"tasks": {"EN-X-CLS-a": {"level": "", "task_type": "CLS", "lang": "en", "rougeL_ws": 50.0,
                                       "rougeL_char": 40.0, "miF1_ref": 30.0}}}
    assert get_suite("heldin").summarize(scores)["HI_rougeL"] == 50.0
    assert "UD_rougeL" in get_suite("heldout").summarize({**scores, "summary": {}})
    cqa = {"chinese_ecomqa": {"per_task": {"t": {"code": "SC", "metric": "exact", "n": 1, "value": 12.345}},
                              "mean": 12.345}}
    assert get_suite("chinese_ecomqa").summarize(cqa) == {"SC exact": 12.35, "mean": 12.35}
