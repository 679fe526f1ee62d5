"""Issue #23: `ecomlib export` follows every verb's output contract and writes its splits as one set;
`ecomlib build-data` rerun over its own output keeps a user's file in OUT/ecominstruct and refuses a
symlinked OUT/ecominstruct."""

from __future__ import annotations

import errno
import json
import os
import tempfile

import pytest

from ecomlib import io as ecom_io
from ecomlib.schema import ROW_KEYS
from tests.robustness.cli_helpers import files_of, one_error_line, run_cli


@pytest.fixture
def build(tmp_path):
    """A build with two splits."""
    folder = tmp_path / "build" / "ecominstruct"
    folder.mkdir(parents=True)
    for split in ("train", "heldout"):
        rows = [{**{k: "" for k in ROW_KEYS}, "task": "EN-X-CLS-sentiment", "index": i, "candidates": [],
                 "prompt": f"Q{i}\n### Response:\n", "output": f"A{i}", "lang": "en"} for i in range(3)]
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return folder.parent


def _export(build, out, *extra):
    return ("export", "--build", build, "--format", "chat", "--out", out, *extra)


def test_export_refuses_to_replace_a_user_file_without_overwrite(tmp_path, capsys, build):
    ex = tmp_path / "ex"
    ex.mkdir()
    (ex / "train.chat.jsonl").write_text("mine\n")
    (ex / "notes.txt").write_text("notes\n")
    rc, _, err = run_cli(capsys, *_export(build, ex, "--split", "train"))
    one_error_line(rc, err, f"--out {ex}", "--overwrite")
    assert (ex / "train.chat.jsonl").read_text() == "mine\n"
    rc, _, err = run_cli(capsys, *_export(build, ex, "--split", "train", "--overwrite"))
    assert rc == 0, err
    assert (ex / "train.chat.jsonl").read_text() != "mine\n" and (ex / "notes.txt").read_text() == "notes\n"


def test_export_rerun_replaces_only_its_own_files(tmp_path, capsys, build):
    ex = tmp_path / "ex"
    assert run_cli(capsys, *_export(build, ex, "--split", "train"))[0] == 0
    assert run_cli(capsys, *_export(build, ex, "--split", "train"))[0] == 0  # its own file: no --overwrite
    (ex / "heldout.chat.jsonl").write_text("mine\n")  # a user's file in export's folder
    rc, _, err = run_cli(capsys, *_export(build, ex))
    one_error_line(rc, err, str(ex / "heldout.chat.jsonl"), "not written by `ecomlib export`", "--overwrite")
    assert (ex / "heldout.chat.jsonl").read_text() == "mine\n"


def test_export_full_disk_leaves_no_split_written(tmp_path, capsys, monkeypatch, build):
    real = tempfile.mkstemp

    def mkstemp(*a, prefix="", **k):
        if prefix.startswith(".heldout.chat.jsonl."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), k.get("dir"))
        return real(*a, prefix=prefix, **k)
    monkeypatch.setattr(ecom_io.tempfile, "mkstemp", mkstemp)
    ex = tmp_path / "ex"
    rc, _, err = run_cli(capsys, *_export(build, ex))
    one_error_line(rc, err, "No space left on device", str(ex))
    left = sorted(p.name for p in ex.iterdir()) if ex.exists() else []
    assert not [n for n in left if n.endswith(".jsonl") or n.endswith(".tmp")], left


def test_build_data_rerun_keeps_a_user_file_in_ecominstruct(tmp_path, capsys):
    out = tmp_path / "B"
    assert run_cli(capsys, "build-data", "--out", out, "--no-progress")[0] == 0
    notes = out / "ecominstruct" / "notes.txt"
    notes.write_text("mine\n")
    (out / "ecominstruct" / "train" / "mine.txt").write_text("mine too\n")
    before = files_of(out / "ecominstruct")
    rc, _, err = run_cli(capsys, "build-data", "--out", out, "--no-progress", "--set", "seed=1")
    one_error_line(rc, err, str(notes), "move it away")
    assert files_of(out / "ecominstruct") == before
    notes.unlink()
    rc, _, err = run_cli(capsys, "build-data", "--out", out, "--no-progress", "--set", "seed=1")
    one_error_line(rc, err, str(out / "ecominstruct" / "train" / "mine.txt"))


def test_build_data_refuses_a_symlinked_ecominstruct(tmp_path, capsys):
    out = tmp_path / "B"
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "keep.txt").write_text("another run's\n")
    assert run_cli(capsys, "build-data", "--out", out, "--no-progress")[0] == 0
    import shutil

    shutil.rmtree(out / "ecominstruct")
    (out / "ecominstruct").symlink_to(other, target_is_directory=True)
    rc, _, err = run_cli(capsys, "build-data", "--out", out, "--no-progress", "--set", "seed=1")
    one_error_line(rc, err, str(out / "ecominstruct"), "symbolic link")
    assert files_of(other) == {"keep.txt": b"another run's\n"}
