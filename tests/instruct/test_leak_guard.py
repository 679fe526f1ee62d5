"""The leak guard: train rows repeating a text of any evaluation suite present are dropped, and zero
exact / normalised overlap is proved by a recheck. Uses the hand-made 13-folder EcomGPT fixture."""

import shutil

import pytest

from ecomlib.instruct import leak_guard
from ecomlib.sources.published_eval import ECOMGPT_PUBLISHED_TASKS, ECOMGPT_SUBDIR, find_ecomgpt_tasks
from ecomlib.instruct.templates import render_ours
from ecomlib.sources.verify import UNPINNED_MARKER
from tests.evaluation.conftest import ECOMGPT_FIXTURE, FIXTURES

CEQ_FILE = FIXTURES / "chinese_ecomqa" / "OpenStellarTeam" / "ChineseEcomQA" / "data" / "ChineseEcomQA.jsonl"


@pytest.fixture
def data_dir(tmp_path):
    """A data directory holding all 13 published folders (the fixture) and ChineseEcomQA."""
    shutil.copytree(ECOMGPT_FIXTURE, tmp_path / ECOMGPT_SUBDIR)
    dest = tmp_path / "OpenStellarTeam" / "ChineseEcomQA" / "data"
    dest.mkdir(parents=True)
    shutil.copy(CEQ_FILE, dest / CEQ_FILE.name)
    (tmp_path / UNPINNED_MARKER).touch()  # test fixtures, not the pinned files
    return tmp_path


def _row(text: str, lang: str = "en") -> dict:
    prompt = render_ours({"prompt": "Say what it is.", "input": text}, lang)
    return {"task": "EN-X-CLS-kind", "prompt": prompt, "input": text, "output": "a"}


def test_the_fixture_has_all_13_published_folders():
    assert set(find_ecomgpt_tasks(ECOMGPT_FIXTURE)) == set(ECOMGPT_PUBLISHED_TASKS)


def test_rows_repeating_an_evaluation_text_are_dropped_and_counted(data_dir):
    clean = _row("A clean sentence that no suite holds")
    lenovo = _row("Great battery life .")                       # exactly a Lenovo NER test sentence
    lenovo_norm = _row("  GREAT   battery life .")              # the same after normalisation only
    ceq_query = _row("防水蓝牙耳机", "zh")                          # a ChineseEcomQA AC query (a prompt field)
    kept, report = leak_guard.guard([clean, lenovo, lenovo_norm, ceq_query], data_dir)
    assert kept == [clean]
    eg, cq = report["suites"]["ecomgpt"], report["suites"]["chinese_ecomqa"]
    assert eg["what"] == "13 published folders" and eg["instances"] > 13
    assert (eg["train_rows_matching_exactly"], eg["train_rows_matching_normalised"], eg["train_rows_dropped"]) == (1, 2, 2)
    assert cq["train_rows_dropped"] == 1 and cq["instances"] == 12
    assert all(s["overlap_after"] == {"exact": 0, "normalised": 0} for s in report["suites"].values())
    card = "\n".join(leak_guard.card_lines(report))
    assert "| ecomgpt | 13 published folders |" in card and "| chinese_ecomqa |" in card


def test_works_on_any_copy_of_the_folders(data_dir, tmp_path):
    # only 2 folders (as in the shared data): the guard reads what is there and says how many
    two = tmp_path / "two"
    for name in ("EN-Lenovo-NER-NER", "EN-ABSA-CLS-review_topic_category"):
        src = find_ecomgpt_tasks(data_dir / ECOMGPT_SUBDIR)[name]
        shutil.copytree(src, two / ECOMGPT_SUBDIR / src.parent.parent.name / "tasks" / name)
    (two / UNPINNED_MARKER).touch()
    _, report = leak_guard.guard([_row("x y z")], two)
    assert report["suites"]["ecomgpt"]["what"] == "2 published folders" and "chinese_ecomqa" not in report["suites"]


def test_no_suite_present_is_reported_not_hidden(tmp_path):
    rows = [_row("anything")]
    kept, report = leak_guard.guard(rows, tmp_path)
    assert kept == rows and report == {"suites": {}}
    assert "overlap not checked" in "\n".join(leak_guard.card_lines(report))


def test_chinese_ecomqa_prompt_fields():
    assert leak_guard.chinese_ecomqa_fields("***query***：防水蓝牙耳机***属性***：功能效果***答案***：") == ["防水蓝牙耳机", "功能效果"]


def test_open_build_drops_a_train_row_whose_input_is_an_evaluation_sentence(tmp_path, monkeypatch):
    """End to end on the hand-written open-world fixtures: plant one train input as a Lenovo test sentence."""
    import json

    from ecomlib import records
    from ecomlib.config import load_profile
    from ecomlib.instruct.builder import build_rows
    from ecomlib.instruct.dataset import data_card, make_stats
    from ecomlib.instruct.templates import split_prompt
    from tests.sources.conftest import build_fixture_dir

    d = build_fixture_dir(tmp_path / "data")
    shutil.copytree(ECOMGPT_FIXTURE, d / ECOMGPT_SUBDIR)
    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(d))
    p = load_profile("smoke", ["data.world=open", "data.max_per_task=20", "data.heldout_per_task=5"])

    def rows():
        return build_rows(p, records.list_sources(p), lambda name: records.iter_records(p, name))

    before = rows()
    assert before.suite_overlap["suites"]["ecomgpt"]["train_rows_dropped"] == 0
    planted = split_prompt(before.train[0]["prompt"])["input"]
    test_json = find_ecomgpt_tasks(d / ECOMGPT_SUBDIR)["EN-Lenovo-NER-NER"] / "test.json"
    test_json.write_text(test_json.read_text(encoding="utf-8") + json.dumps({"sentences": planted, "spans": []}) + "\n",
                         encoding="utf-8")
    after = rows()
    report = after.suite_overlap["suites"]["ecomgpt"]
    assert report["train_rows_dropped"] >= 1 and report["overlap_after"] == {"exact": 0, "normalised": 0}
    assert all(split_prompt(r["prompt"])["input"] != planted for r in after.train)
    stats = make_stats(after, p, "fp")
    assert stats["evaluation_suite_overlap"] == after.suite_overlap
    card = data_card(stats, p)
    assert "## Evaluation-suite overlap" in card
    # the licences of what the build holds, with flags (FewSum is MIT; Eprstmt states none)
    assert "| FewSum | abrazinskas/FewSum@0786bca | MIT |  |" in card
    assert "| Eprstmt | CLUEbenchmark/FewCLUE@62a02c6 | none stated yet | no-redistribution |" in card
