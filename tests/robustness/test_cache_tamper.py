"""A cached stage output that changed after DONE.json was written is recomputed, not reused."""

import json

import pytest

from ecomlib.config import load_profile
from ecomlib.study import runs


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setattr(runs, "_verified", {}, raising=False)
    return tmp_path / "work"


def test_done_json_records_every_output_file(work):
    def build(tmp):
        (tmp / "a.txt").write_text("alpha")
        (tmp / "sub").mkdir()
        (tmp / "sub" / "b.bin").write_bytes(b"\x00\x01")

    path = runs.cached("fake", {"p": 1}, build)
    files = json.loads((path / runs.DONE).read_text())["files"]
    assert sorted(files) == ["a.txt", "sub/b.bin"] and files["a.txt"]["bytes"] == 5
    assert len(files["sub/b.bin"]["sha256"]) == 64


def test_same_size_tamper_is_recomputed(work, monkeypatch):
    calls = []

    def build(tmp):
        calls.append(1)
        (tmp / "out.txt").write_text("the real result")

    path = runs.cached("fake", {"p": 1}, build)
    assert runs.cached("fake", {"p": 1}, build) == path and len(calls) == 1
    (path / "out.txt").write_text("the fake result")  # same size
    monkeypatch.setattr(runs, "_verified", {}, raising=False)  # a later process
    assert runs.cached("fake", {"p": 1}, build) == path and len(calls) == 2
    assert (path / "out.txt").read_text() == "the real result"
    (path / "out.txt").unlink()
    assert runs.cached("fake", {"p": 1}, build) == path and len(calls) == 3


@pytest.mark.slow
def test_cut_train_jsonl_of_a_cached_build_is_rebuilt(work, monkeypatch, capsys):
    from ecomlib.study import pipeline

    p = load_profile("smoke")
    out = pipeline.build_data(p)
    train = out / "ecominstruct" / "train.jsonl"
    full = train.read_bytes()
    assert full.count(b"\n") > 100
    train.write_bytes(b"".join(full.splitlines(keepends=True)[:100]))
    monkeypatch.setattr(runs, "_verified", {}, raising=False)
    assert pipeline.build_data(p) == out
    assert train.read_bytes() == full
    assert "train.jsonl" in capsys.readouterr().err
