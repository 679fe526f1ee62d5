"""The open build's cache key covers the evaluation suites present: the leak guard drops the training rows
that repeat their texts, so adding, removing or changing a published suite file must rebuild the data
(it used to serve the old build), while an unchanged data folder keeps the key and the synthetic world's
key does not name any suite."""

from __future__ import annotations

import shutil

import pytest

from ecomlib.config import load_profile
from ecomlib.sources.published_eval import CHINESE_ECOMQA_FILE, ECOMGPT_SUBDIR
from ecomlib.sources.verify import UNPINNED_MARKER
from ecomlib.study import pipeline
from tests.evaluation.conftest import ECOMGPT_FIXTURE, FIXTURES

NER = "Lenovo/tasks/EN-Lenovo-NER-NER"
ABSA = "ABSA/tasks/EN-ABSA-CLS-review_topic_category"


@pytest.fixture
def data_key(tmp_path, monkeypatch):
    """The data stage's params for a profile, ``cached`` standing in so nothing is built."""
    monkeypatch.setattr(pipeline, "cached", lambda stage, params, run, deps=(), **kw: params)
    d = tmp_path / "data"
    d.mkdir()
    (d / UNPINNED_MARKER).touch()  # hand-made fixture files: read unchecked
    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(d))
    return d, lambda profile: pipeline.build_data(profile)


def test_the_open_key_changes_with_the_suites_the_guard_reads(data_key):
    d, key = data_key
    open_p = load_profile("smoke", {"data.world": "open"})
    empty = key(open_p)
    assert key(open_p) == empty  # nothing changed: the same key
    shutil.copytree(ECOMGPT_FIXTURE / NER, d / ECOMGPT_SUBDIR / NER)
    one = key(open_p)
    assert one != empty and key(open_p) == one
    shutil.copytree(ECOMGPT_FIXTURE / ABSA, d / ECOMGPT_SUBDIR / ABSA)  # a second folder
    two = key(open_p)
    assert two not in (empty, one)
    test_json = d / ECOMGPT_SUBDIR / ABSA / "test.json"
    test_json.write_text(test_json.read_text(encoding="utf-8").replace("a", "b"), encoding="utf-8")
    assert key(open_p) not in (empty, one, two)  # same folders, other bytes
    cqa = d / CHINESE_ECOMQA_FILE
    cqa.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "chinese_ecomqa" / CHINESE_ECOMQA_FILE, cqa)
    with_cqa = key(open_p)
    cqa.unlink()
    assert with_cqa != key(open_p)
    shutil.rmtree(d / ECOMGPT_SUBDIR)  # every suite removed: back to the first key
    assert key(open_p) == empty


def test_the_synthetic_key_names_no_suite(data_key):
    d, key = data_key
    smoke = load_profile("smoke")
    before = key(smoke)
    shutil.copytree(ECOMGPT_FIXTURE / NER, d / ECOMGPT_SUBDIR / NER)
    assert key(smoke) == before
    assert set(before) == {"seed", "world", "data", "build_fingerprint"}  # the smoke pin's key, as before
