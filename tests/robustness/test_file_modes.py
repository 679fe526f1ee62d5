"""Issue #23: predictions, scores and fetched files honour the umask (mkstemp's 0600 would keep them
from the other users of a shared machine)."""

from __future__ import annotations

import os
import stat

import pytest

from ecomlib import io as ecom_io
from tests.robustness.cli_helpers import BUILD, gold_predictions, run_cli


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_score_outputs_follow_the_umask(tmp_path, capsys, umask_022):
    preds = gold_predictions(tmp_path / "preds.jsonl")
    out = tmp_path / "out"
    rc, _, err = run_cli(capsys, "score", "--suite", "synthetic", "--data-dir", BUILD, "--predictions", preds,
                         "--out", out)
    assert rc == 0, err
    for name in ("scores.json", "scores.csv", "table.md"):
        assert _mode(out / name) == 0o644, name


def test_atomic_write_files_follows_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        ecom_io.atomic_write_files(tmp_path, {"predictions.jsonl": "{}\n", "scores.json": "{}"})
    finally:
        os.umask(old)
    assert _mode(tmp_path / "predictions.jsonl") == 0o640 and _mode(tmp_path / "scores.json") == 0o640


def test_fetched_file_follows_the_umask(tmp_path, monkeypatch, umask_022):
    import dataclasses
    import hashlib

    from ecomlib.sources import fetch as fetch_mod
    from ecomlib.sources.registry import FILES

    f = min(FILES, key=lambda f: f.bytes)
    body = b"x" * f.bytes
    pinned = dataclasses.replace(f, sha256=hashlib.sha256(body).hexdigest())

    def fake_stream(f, url, out, *a, **k):
        out.write(body)
        return len(body), hashlib.sha256(body).hexdigest()
    monkeypatch.setattr(fetch_mod, "_stream", fake_stream)
    target = fetch_mod.download(pinned, tmp_path, "http://127.0.0.1:9")
    assert _mode(target) == 0o644
