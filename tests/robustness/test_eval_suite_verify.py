"""The pinned evaluation suites (ChineseEcomQA, the EcomGPT published folders) are verified like the
training sources wherever they are read: a truncated or same-size-edited file at its registered path is
refused with one line naming it and what was expected; a copy laid out elsewhere is scored but said to be
unverified; the study keys its ecomgpt / chinese_ecomqa splits on the files' sha256. The verified-files
cache keys on the ctime too, so a same-size edit with ``touch -r`` is hashed again."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from ecomlib.errors import DataError
from ecomlib.evaluation import chinese_ecomqa as ceq
from ecomlib.evaluation import load_suite
from ecomlib.sources.published_eval import ECOMGPT_SUBDIR
from ecomlib.sources import registry, verify
from tests.evaluation.conftest import ECOMGPT_FIXTURE, FIXTURES
from tests.robustness.cli_helpers import one_error_line, run_cli

CEQ_FIXTURE = FIXTURES / "chinese_ecomqa" / ceq.FILE
NER = "EN-Lenovo-NER-NER"
NER_REL = Path("Lenovo") / "tasks" / NER


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMLIB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(verify, "_seen", {})


def _pin_to(monkeypatch, data_dir: Path, files: list[Path]) -> None:
    """Pin the registry entries of ``files`` (under ``data_dir``) to exactly their present bytes."""
    by_rel = {f.relative_to(data_dir).as_posix(): f for f in files}
    pins = tuple(dataclasses.replace(p, bytes=by_rel[p.rel_path].stat().st_size,
                                     sha256=verify.sha256_file(by_rel[p.rel_path]))
                 if p.rel_path in by_rel else p for p in registry.FILES)
    assert sum(p.rel_path in by_rel for p in pins) == len(files)
    monkeypatch.setattr(registry, "FILES", pins)


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    """A data directory holding ChineseEcomQA and one published folder at their registered paths, pinned."""
    d = tmp_path / "data"
    (d / ceq.FILE).parent.mkdir(parents=True)
    shutil.copyfile(CEQ_FIXTURE, d / ceq.FILE)
    shutil.copytree(ECOMGPT_FIXTURE / NER_REL, d / ECOMGPT_SUBDIR / NER_REL)
    folder = d / ECOMGPT_SUBDIR / NER_REL
    _pin_to(monkeypatch, d, [d / ceq.FILE, folder / "test.json", folder / "meta-info.json"])
    return d


def _truncate(path: Path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: len(lines) // 2]))


def _same_size_edit(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    i = raw.index(b'"') + 1
    raw[i:i + 1] = b"X" if raw[i:i + 1] != b"X" else b"Y"
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("damage, expected", [(_truncate, "bytes, expected"), (_same_size_edit, "sha256")],
                         ids=["truncated", "same-size-edit"])
def test_a_damaged_chinese_ecomqa_is_refused(data, damage, expected):
    assert load_suite("chinese_ecomqa", data)  # intact: read
    damage(data / ceq.FILE)
    with pytest.raises(DataError) as exc:
        load_suite("chinese_ecomqa", data)
    msg = str(exc.value)
    assert str(data / ceq.FILE) in msg and expected in msg and "\n" not in msg


@pytest.mark.parametrize("name", ["test.json", "meta-info.json"])
def test_a_truncated_published_file_is_refused_not_scored_short(data, name):
    assert len(load_suite("ecomgpt", data, n_per_task=200)) == 3  # intact: every row
    path = data / ECOMGPT_SUBDIR / NER_REL / name
    _truncate(path)
    with pytest.raises(DataError, match="bytes, expected"):
        load_suite("ecomgpt", data, n_per_task=200)


def test_score_refuses_a_damaged_suite_in_one_line(data, tmp_path, capsys):
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(json.dumps({"task": i.task, "index": i.index, "prediction": i.gold}) + "\n"
                             for i in load_suite("chinese_ecomqa", data)), encoding="utf-8")
    _truncate(data / ceq.FILE)
    rc, _, err = run_cli(capsys, "score", "--suite", "chinese_ecomqa", "--data-dir", data, "--predictions", preds,
                         "--out", tmp_path / "out")
    one_error_line(rc, err, str(data / ceq.FILE), "expected")  # the suite is blamed, not the predictions
    assert not (tmp_path / "out").exists()


def test_a_copy_laid_out_elsewhere_is_scored_and_said_unverified(tmp_path, capsys):
    own = tmp_path / "mine"  # a suite of one's own: no registered path, nothing to verify against
    shutil.copytree(ECOMGPT_FIXTURE / NER_REL, own / NER_REL)
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(json.dumps({"task": i.task, "index": i.index, "prediction": i.gold}) + "\n"
                             for i in load_suite("ecomgpt", own)), encoding="utf-8")
    rc, out, _ = run_cli(capsys, "score", "--suite", "ecomgpt", "--data-dir", own, "--predictions", preds,
                         "--out", tmp_path / "out")
    assert rc == 0 and "UNVERIFIED: 2 suite file(s)" in out and str(own / NER_REL / "test.json") in out
    scores = json.loads((tmp_path / "out" / "scores.json").read_text())
    assert len(scores["subset"]["unverified"]) == 2


def test_a_verified_suite_says_nothing_of_verification(data, tmp_path, capsys):
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(json.dumps({"task": i.task, "index": i.index, "prediction": i.gold}) + "\n"
                             for i in load_suite("chinese_ecomqa", data)), encoding="utf-8")
    rc, out, _ = run_cli(capsys, "score", "--suite", "chinese_ecomqa", "--data-dir", data, "--predictions", preds,
                         "--out", tmp_path / "out")
    assert rc == 0 and "UNVERIFIED" not in out
    assert json.loads((tmp_path / "out" / "scores.json").read_text())["subset"]["unverified"] == []


def _open_profile():
    from ecomlib.config import load_profile

    return load_profile("smoke", {"data.world": "open"})


def test_the_study_splits_are_keyed_on_the_files_sha256(data, monkeypatch):
    from ecomlib.evaluation.registry import get_suite

    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(data))
    published, study_ceq = get_suite("ecomgpt"), get_suite("chinese_ecomqa")
    key = published.source(_open_profile())
    test_json = data / ECOMGPT_SUBDIR / NER_REL / "test.json"
    assert key == {NER: {"meta-info.json": verify.sha256_file(test_json.with_name("meta-info.json")),
                         "test.json": verify.sha256_file(test_json)}}
    _truncate(test_json)  # same folder name, other bytes: refused, never served from the old key
    with pytest.raises(DataError, match="test.json"):
        published.source(_open_profile())
    _truncate(data / ceq.FILE)
    with pytest.raises(DataError, match="ChineseEcomQA.jsonl"):
        study_ceq.source(_open_profile())


def test_a_fixture_directory_changes_the_published_key_with_its_bytes(tmp_path, monkeypatch):
    from ecomlib.evaluation.registry import get_suite

    published, p = get_suite("ecomgpt"), _open_profile()
    d = tmp_path / "data"
    shutil.copytree(ECOMGPT_FIXTURE / NER_REL, d / ECOMGPT_SUBDIR / NER_REL)
    (d / verify.UNPINNED_MARKER).touch()
    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(d))
    before = published.source(p)
    _same_size_edit(d / ECOMGPT_SUBDIR / NER_REL / "test.json")
    assert published.source(p) != before and set(published.source(p)) == {NER}


def test_a_same_size_edit_with_touch_r_is_hashed_again(data):
    path = data / ceq.FILE
    pin, _ = verify.registered_pin(path)
    verify.verify_pinned(pin, path)  # verified and remembered
    st = path.stat()
    time.sleep(0.05)  # past the file system's coarse clock tick, as any real later edit is
    _same_size_edit(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # touch -r: the old mtime back
    assert path.stat().st_mtime_ns == st.st_mtime_ns and path.stat().st_ino == st.st_ino
    with pytest.raises(DataError, match="sha256"):
        verify.verify_pinned(pin, path)
