"""Defect B: a file-system failure is one clear line (where, why), exit 2, no traceback, and never a
partial output set. Tests run as root, which ignores chmod, so read-only / permission failures are
injected (EROFS / EACCES / ENOSPC raised by the writer) and the real cases are a file used as a folder
and /proc."""

from __future__ import annotations

import errno
import os
import tempfile

import pytest

from ecomlib import io as ecom_io
from tests.robustness.cli_helpers import BUILD, EVAL_FAST, gold_predictions, one_error_line, run_cli, save_tiny_lm

WRITING_VERBS = ("build-data", "train", "evaluate", "score", "fetch-data", "study", "export")


def _argv(verb, out, tmp_path):
    preds = tmp_path / "preds.jsonl"
    if not preds.exists():
        gold_predictions(preds)
    return {
        "build-data": ["build-data", "--out", out, "--no-progress"],
        "train": ["train", "--stage", "pretrain", "--out", out, "--no-progress"],
        "evaluate": ["evaluate", "--model", tmp_path / "no-model", "--suite", "synthetic", "--data-dir", BUILD,
                     "--out", out],
        "score": ["score", "--suite", "synthetic", "--data-dir", BUILD, "--predictions", preds, "--out", out],
        "fetch-data": ["fetch-data", "--dest", out, "--only", "EcomGPTEval", "--no-progress"],
        "study": ["study", "--experiment", "prompts", "--out", out / "rows.json" if out.suffix != ".json" else out,
                  "--no-progress"],
        "export": ["export", "--build", BUILD, "--format", "chat", "--out", out],
    }[verb]


@pytest.fixture
def quick_verbs(monkeypatch):
    """Verbs whose real work is long are replaced by stubs that write into their output like the real one."""
    from ecomlib.sources import fetch as fetch_mod
    from ecomlib.study import experiments

    monkeypatch.setattr(experiments, "run", lambda *a, **k: [{"label": "x"}])

    def fake_download(f, dest, base, *a, **k):
        ecom_io.atomic_write_bytes(f.local(dest), b"x")
    monkeypatch.setattr(fetch_mod, "download", fake_download)


@pytest.mark.parametrize("verb", WRITING_VERBS)
def test_out_is_a_file_or_under_a_file(tmp_path, capsys, verb, quick_verbs):
    a_file = tmp_path / "plain.txt"
    a_file.write_text("mine")
    for out in (a_file, a_file / "sub"):
        if verb == "study" and out == a_file:
            out = a_file / "rows.json"
        rc, _, err = run_cli(capsys, *_argv(verb, out, tmp_path))
        one_error_line(rc, err, str(a_file), "is a file")
    assert a_file.read_text() == "mine"


@pytest.mark.parametrize("verb", WRITING_VERBS)
def test_out_under_proc(tmp_path, capsys, verb, quick_verbs):
    rc, _, err = run_cli(capsys, *_argv(verb, __import__("pathlib").Path("/proc/ecomlib-test/out"), tmp_path))
    one_error_line(rc, err, "/proc")


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC])
@pytest.mark.parametrize("verb", WRITING_VERBS)
def test_unwritable_destination_is_one_line(tmp_path, capsys, monkeypatch, verb, code, quick_verbs):
    """Every file ecomlib writes goes through a temporary sibling (mkstemp); make creating it fail, as a
    read-only mount, a permission-denied or immutable folder, or a full disk does."""
    def refuse(*a, dir=None, **k):
        raise OSError(code, os.strerror(code), dir)
    monkeypatch.setattr(ecom_io.tempfile, "mkstemp", refuse)
    monkeypatch.setattr(ecom_io.tempfile, "mkdtemp", refuse)
    out = tmp_path / "out"
    rc, _, err = run_cli(capsys, *_argv(verb, out, tmp_path))
    line = one_error_line(rc, err, os.strerror(code), errno.errorcode[code])
    assert str(tmp_path) in line  # where


@pytest.mark.parametrize("verb", ["build-data", "train", "study"])
def test_write_failure_inside_the_verb_is_one_line(tmp_path, capsys, monkeypatch, verb, quick_verbs):
    """A full disk in the middle of a verb's own writing (no file name on the error: a plain write())."""
    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    import ecomlib.commands.build_data as build_data
    import ecomlib.commands.train as train
    import ecomlib.commands.study as study_cli

    monkeypatch.setattr({"build-data": build_data, "train": train, "study": study_cli}[verb],
                        {"build-data": "build", "train": "train_stage", "study": "atomic_write_json"}[verb], full)
    out = tmp_path / "out"
    rc, _, err = run_cli(capsys, *_argv(verb, out, tmp_path))
    one_error_line(rc, err, "No space left on device", str(out))


def _fail_when_creating(monkeypatch, name):
    real = tempfile.mkstemp

    def mkstemp(*a, prefix="", **k):
        if prefix.startswith(f".{name}."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), k.get("dir"))
        return real(*a, prefix=prefix, **k)
    monkeypatch.setattr(ecom_io.tempfile, "mkstemp", mkstemp)


@pytest.mark.parametrize("failing", ["scores.json", "scores.csv", "table.md"])
def test_score_full_disk_leaves_no_partial_set(tmp_path, capsys, monkeypatch, failing):
    _fail_when_creating(monkeypatch, failing)
    out = tmp_path / "out"
    rc, _, err = run_cli(capsys, *_argv("score", out, tmp_path))
    one_error_line(rc, err, "No space left on device")
    left = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert not {"scores.json", "scores.csv", "table.md"} & set(left), left
    assert not [n for n in left if n.endswith(".tmp")], left


@pytest.mark.parametrize("failing", ["scores.json", "table.md"])
def test_evaluate_full_disk_leaves_no_predictions_without_scores(tmp_path, capsys, monkeypatch, failing):
    model = save_tiny_lm(tmp_path / "model")
    _fail_when_creating(monkeypatch, failing)
    out = tmp_path / "out"
    rc, _, err = run_cli(capsys, "evaluate", "--model", model, "--suite", "synthetic", "--data-dir", BUILD,
                         "--out", out, *EVAL_FAST)
    one_error_line(rc, err, "No space left on device")
    left = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert left == [], left


def test_predictions_that_is_a_folder(tmp_path, capsys):
    rc, _, err = run_cli(capsys, "score", "--suite", "synthetic", "--data-dir", BUILD, "--predictions", tmp_path,
                         "--out", tmp_path / "out")
    one_error_line(rc, err, f"{tmp_path}: is a folder")
    assert not (tmp_path / "out").exists()
