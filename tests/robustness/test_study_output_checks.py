"""``ecomlib study --out`` in a folder it cannot write into fails at once, naming the user's path (it used
to fail after the whole experiment's compute, naming its temporary file); a file-system error while a
study stage builds names the stage folder, not its temporary sibling."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest

from ecomlib.study import experiments, runs
from tests.robustness.cli_helpers import one_error_line, run_cli


def _read_only(monkeypatch, folder: Path) -> None:
    """``folder`` behaves as on a read-only mount (the tests run as root, whom chmod does not stop)."""
    real = tempfile.mkstemp

    def mkstemp(suffix=None, prefix=None, dir=None, text=False):
        if dir is not None and Path(dir).resolve() == folder.resolve():
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.path.join(dir, f"{prefix}k3j2x{suffix}"))
        return real(suffix=suffix, prefix=prefix, dir=dir, text=text)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def test_study_out_in_a_read_only_folder_fails_before_any_compute(tmp_path, capsys, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    _read_only(monkeypatch, ro)
    computed = []
    monkeypatch.setattr(experiments, "run", lambda *a, **k: computed.append(1) or [{"label": "x"}])
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))
    rc, out, err = run_cli(capsys, "study", "--profile", "smoke", "--experiment", "model_ladder",
                           "--out", ro / "rows.json")
    line = one_error_line(rc, err, f"--out {ro / 'rows.json'}", "Read-only file system")
    assert ".tmp" not in line and "k3j2x" not in line
    assert computed == [] and out == ""
    assert list(ro.iterdir()) == []


def test_a_stage_that_fills_the_disk_names_its_stage_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))

    def build(tmp: Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp / "predictions.jsonl"))

    with pytest.raises(OSError) as exc:
        runs.cached("eval", {"x": 1}, build)
    final = runs.stage_path("eval", {"x": 1}, (), build)
    assert exc.value.errno == errno.ENOSPC and exc.value.filename == str(final / "predictions.jsonl")
    assert not any(p.name.endswith(".tmp") for p in final.parent.iterdir())  # nothing half-written left


def test_a_resumable_stage_names_its_stage_folder_too(tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))

    def build(tmp: Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp / "checkpoints" / "step-000002"))

    with pytest.raises(OSError) as exc:
        runs.cached("model-pretrain", {"x": 1}, build, resumable=True)
    final = runs.stage_path("model-pretrain", {"x": 1}, (), build)
    assert exc.value.filename == str(final / "checkpoints" / "step-000002")
