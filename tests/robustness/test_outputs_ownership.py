"""Defect A: no verb replaces or deletes a user's files. Every writing verb refuses a non-empty --out that
ecomlib did not create (marker ``.ecomlib-output.json``) unless --overwrite, and even then never removes
a user folder it would rebuild as a whole (train's checkpoints/, build-data's ecominstruct)."""

from __future__ import annotations

import json

import pytest

from ecomlib.io import MARKER
from ecomlib.sources.registry import FILES
from tests.robustness.cli_helpers import BUILD, files_of, gold_predictions, one_error_line, run_cli


def _user_folder(tmp_path, *extra_dirs):
    user = tmp_path / "mine"
    user.mkdir()
    (user / "README.md").write_text("my notes\n")
    (user / "data.csv").write_text("a,b\n1,2\n")
    for d in extra_dirs:
        (user / d).mkdir()
        (user / d / "keep.bin").write_bytes(b"precious")
    return user


def _verb_argv(verb, out, tmp_path):
    preds = gold_predictions(tmp_path / "preds.jsonl")
    return {
        "build-data": ["build-data", "--out", out, "--no-progress"],
        "train": ["train", "--stage", "pretrain", "--out", out, "--no-progress"],
        "evaluate": ["evaluate", "--model", tmp_path / "no-model", "--suite", "synthetic", "--data-dir", BUILD,
                     "--out", out],
        "score": ["score", "--suite", "synthetic", "--data-dir", BUILD, "--predictions", preds, "--out", out],
        "export": ["export", "--build", BUILD, "--format", "chat", "--out", out],
    }[verb]


@pytest.mark.parametrize("verb", ["build-data", "train", "evaluate", "score", "export"])
def test_non_empty_user_folder_is_refused_and_untouched(tmp_path, capsys, verb):
    user = _user_folder(tmp_path, "checkpoints", "ecominstruct")
    before = files_of(user)
    rc, out, err = run_cli(capsys, *_verb_argv(verb, user, tmp_path))
    one_error_line(rc, err, f"--out {user}", "not created by ecomlib", "--overwrite")
    assert files_of(user) == before and not (user / MARKER).exists()


@pytest.mark.parametrize("verb, kept", [("train", "checkpoints"), ("build-data", "ecominstruct")])
def test_overwrite_never_removes_a_user_folder_the_verb_rebuilds(tmp_path, capsys, verb, kept):
    user = _user_folder(tmp_path, kept)
    before = files_of(user)
    rc, out, err = run_cli(capsys, *_verb_argv(verb, user, tmp_path), "--overwrite")
    one_error_line(rc, err, str(user / kept), "move it away")
    assert files_of(user) == before


def test_overwrite_replaces_only_ecomlib_files(tmp_path, capsys):
    user = _user_folder(tmp_path)
    (user / "scores.json").write_text("old")
    rc, _, err = run_cli(capsys, *_verb_argv("score", user, tmp_path), "--overwrite")
    assert rc == 0, err
    assert (user / "README.md").read_text() == "my notes\n" and (user / "data.csv").read_text() == "a,b\n1,2\n"
    assert json.loads((user / "scores.json").read_text())["tasks"]
    assert json.loads((user / MARKER).read_text())["verb"] == "score"


def test_rerun_into_own_folder_needs_no_overwrite_but_another_verbs_does(tmp_path, capsys):
    out = tmp_path / "scores"
    argv = _verb_argv("score", out, tmp_path)
    assert run_cli(capsys, *argv)[0] == 0
    assert json.loads((out / MARKER).read_text()) == {"verb": "score"}
    assert run_cli(capsys, *argv)[0] == 0  # same verb again: its own folder
    rc, _, err = run_cli(capsys, *_verb_argv("train", out, tmp_path))
    one_error_line(rc, err, "written by `ecomlib score`")


def test_empty_existing_folder_is_fine_and_a_failed_verb_leaves_no_new_folder(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli(capsys, *_verb_argv("score", empty, tmp_path))[0] == 0
    new = tmp_path / "new"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    rc, _, err = run_cli(capsys, "score", "--suite", "synthetic", "--data-dir", BUILD, "--predictions", bad, "--out", new)
    one_error_line(rc, err, "line 1")
    assert not new.exists()


def test_study_refuses_to_replace_a_user_file(tmp_path, capsys, monkeypatch):
    from ecomlib.study import experiments

    monkeypatch.setattr(experiments, "run", lambda *a, **k: [{"label": "x"}])
    mine = tmp_path / "rows.json"
    mine.write_text("my rows")
    argv = ["study", "--experiment", "prompts", "--out", mine, "--no-progress"]
    rc, _, err = run_cli(capsys, *argv)
    one_error_line(rc, err, f"--out {mine}", "not written by `ecomlib study`")
    assert mine.read_text() == "my rows"
    assert run_cli(capsys, *argv, "--overwrite")[0] == 0
    assert json.loads(mine.read_text()) == [{"label": "x"}]
    assert run_cli(capsys, *argv)[0] == 0  # now listed in the folder's marker as study's


def test_fetch_data_keeps_a_user_file_that_fails_verification(tmp_path, capsys, monkeypatch):
    from ecomlib.sources import fetch as fetch_mod

    f = min(FILES, key=lambda f: f.bytes)
    mine = f.local(tmp_path)
    mine.parent.mkdir(parents=True)
    mine.write_text("my own edited copy")
    calls = []
    monkeypatch.setattr(fetch_mod, "download", lambda f, dest, base, *a, **k: calls.append(f) or f.local(dest))
    rc, _, err = run_cli(capsys, "fetch-data", "--dest", tmp_path, "--only", f.group, "--no-progress")
    one_error_line(rc, err, "fail verification", f.rel_path, "--overwrite")
    assert mine.read_text() == "my own edited copy" and calls == []
    assert run_cli(capsys, "fetch-data", "--dest", tmp_path, "--only", f.group, "--no-progress", "--overwrite")[0] == 0
    assert f in calls
