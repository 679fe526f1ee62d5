"""What a rendered notebook shows: one summary line per stage instead of progress-bar frames, every
saved figure embedded exactly once, readable injected parameters."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from ecomlib import progress
from ecomlib.config import REPO_ROOT, load_profile


def _lines(text: str) -> list[str]:
    """Every frame counts: a bar redraws with carriage returns."""
    return [s for s in text.replace("\r", "\n").split("\n") if s.strip()]


def test_training_in_a_kernel_prints_one_line_and_draws_in_the_terminal(tmp_path, monkeypatch, capfd):
    from ecomlib.training import train_stage, train_tokenizer
    from tests.training.conftest import make_texts

    terminal = io.StringIO()
    monkeypatch.setattr(progress, "kernel_terminal", lambda: terminal)  # what a papermill kernel gets
    texts = make_texts()
    tok = train_tokenizer(texts, 400, 2)
    capfd.readouterr()
    res = train_stage(load_profile("smoke"), "pretrain", tmp_path / "m", tokenizer=tok, texts=texts, progress=True)
    out, err = capfd.readouterr()
    shown = _lines(out) + _lines(err)
    assert len(shown) <= 3, shown
    assert any(line.startswith("train pretrain: ") and f"/{len(res.history)} " in line and "loss=" in line
               for line in shown), shown
    assert len(_lines(terminal.getvalue())) > 1  # the bar itself went to the terminal


def test_outside_a_kernel_a_bar_is_plain_tqdm(capsys):
    assert progress.kernel_terminal() is None
    for _ in progress.tqdm(range(3), desc="x"):
        pass
    assert capsys.readouterr().out == ""  # no summary line: the bar itself is visible


def test_summary_line():
    d = {"n": 5, "total": 8, "elapsed": 2.25, "prefix": "train general", "unit": "it", "postfix": "loss=1.0000"}
    assert progress.summary_line(d) == "train general: 5/8 it in 2.2 s (loss=1.0000)"
