"""A run whose loss or gradient becomes NaN/inf stops with a clear error; no NaN model, no NaN in JSON.

Before: training went on, saved NaN weights, exited 0 and wrote ``"final_loss": NaN`` into result.json
(not valid JSON). Now the loop stops before the update at the first non-finite loss or gradient norm
(``DivergedError``: the CLI prints it on one line and exits 2), and ``atomic_write_json`` refuses NaN.
"""

from __future__ import annotations

import json
import math

import pytest
import torch
from accelerate import Accelerator

from ecomlib.cli import main
from ecomlib.config import load_profile
from ecomlib.io import atomic_write_json
from ecomlib.training import build_model, train_stage, train_tokenizer
from ecomlib.training.loop import DivergedError
from tests.training.conftest import make_rows, make_texts


@pytest.fixture(scope="module")
def tok():
    return train_tokenizer(make_texts() + [r["prompt"] + r["output"] for r in make_rows()], 400, 2)


def _nan_model(profile, tok):
    model = build_model(profile.size("xs"), tok, 0)
    with torch.no_grad():
        model.get_input_embeddings().weight[:, 0] = float("nan")  # as fp16 weights overflowed on load
    return model


def _saved(out_dir) -> list[str]:
    return sorted(p.name for p in out_dir.iterdir()) if out_dir.exists() else []


def test_nan_loss_stops_the_stage_before_anything_is_saved(tmp_path, tok):
    smoke = load_profile("smoke")
    out = tmp_path / "m"
    with pytest.raises(DivergedError) as err:
        train_stage(smoke, "pretrain", out, model=_nan_model(smoke, tok), tokenizer=tok, texts=make_texts(),
                    progress=False)
    msg = str(err.value)
    assert "train stage 'pretrain', step 1: loss nan is not finite" in msg
    assert "train.pretrain_lr=0.003" in msg and "fp16" in msg
    # only the run's records (an empty history, its configuration, the marker naming them as ecomlib's):
    # no weights, no result
    assert _saved(out) == [".ecomlib-output.json", "history.jsonl", "run_config.json"]
    assert (out / "history.jsonl").read_text() == ""


def test_nan_gradient_stops_before_the_update(tmp_path, tok, monkeypatch):
    smoke = load_profile("smoke")
    real_clip = Accelerator.clip_grad_norm_
    calls = []

    def clip_then_nan_at_step_3(self, *args, **kwargs):
        calls.append(1)
        norm = real_clip(self, *args, **kwargs)
        return torch.tensor(float("inf")) if len(calls) == 3 else norm

    monkeypatch.setattr(Accelerator, "clip_grad_norm_", clip_then_nan_at_step_3)
    out = tmp_path / "m"
    with pytest.raises(DivergedError, match=r"'ecominstruct', step 3: gradient norm inf \(loss \d"):
        train_stage(smoke, "ecominstruct", out, tokenizer=tok, examples=make_rows(), progress=False)
    history = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    assert [h["step"] for h in history] == [1, 2] and all(math.isfinite(h["loss"]) for h in history)
    assert not (out / "result.json").exists() and not (out / "model.safetensors").exists()


def test_cli_exits_non_zero_with_one_line(tmp_path, tok, capsys):
    smoke = load_profile("smoke")
    init = tmp_path / "nan-init"
    _nan_model(smoke, tok).save_pretrained(init)
    tok.save_pretrained(init)
    capsys.readouterr()  # the save's own progress bars
    out = tmp_path / "m"
    rc = main(["train", "--profile", "smoke", "--stage", "general", "--init", str(init), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("ecomlib train: error:")]  # not transformers' bars
    assert rc == 2 and "Traceback" not in err and len(errors) == 1, err
    assert errors[0].startswith("ecomlib train: error: train stage 'general', step 1: loss nan is not finite")
    assert not (out / "result.json").exists()


def test_json_writer_refuses_nan(tmp_path):
    with pytest.raises(ValueError, match="not finite"):
        atomic_write_json(tmp_path / "r.json", {"final_loss": float("nan")})
    assert list(tmp_path.iterdir()) == []
