"""Precision on CPU: bf16 autocast training and evaluation stay finite and close to fp32; an fp16-saved
checkpoint (as the published BLOOMZ folders are) is loaded in fp32 and fine-tunes without NaN."""

from __future__ import annotations

import math

import pytest
import torch
from safetensors import safe_open

from ecomlib.config import ModelSize, apply_overrides
from ecomlib.training import build_model, load_model, train_stage

STEPS = ["train.max_steps=4", "train.epochs=5"]


def _losses(result) -> list[float]:
    return [h["loss"] for h in result.history]


def test_bf16_autocast_training_and_evaluation_on_cpu(tmp_path, smoke, rows, tok):
    fp32 = train_stage(apply_overrides(smoke, STEPS), "ecominstruct", tmp_path / "fp32", tokenizer=tok, examples=rows,
                       progress=False)
    bf16 = train_stage(apply_overrides(smoke, [*STEPS, "train.bf16=true"]), "ecominstruct", tmp_path / "bf16",
                       tokenizer=tok, examples=rows, progress=False)
    a, b = _losses(fp32), _losses(bf16)
    assert all(math.isfinite(x) for x in b)
    assert b == pytest.approx(a, rel=2e-2)
    assert a != b  # autocast was on (train.bf16 used to be ignored without a GPU)
    # evaluation forward of the bf16-trained model under bf16 autocast: finite, close to fp32
    model = load_model(tmp_path / "bf16").eval()
    ids = tok([r["prompt"] for r in rows[:4]], return_tensors="pt", padding=True)
    with torch.inference_mode():
        ref = model(**ids).logits
        with torch.autocast("cpu", dtype=torch.bfloat16):
            low = model(**ids).logits.float()
    assert torch.isfinite(low).all()
    torch.testing.assert_close(low, ref, atol=0.1, rtol=0.05)


def test_fp16_checkpoint_loads_in_fp32_and_fine_tunes_without_nan(tmp_path, smoke, rows, tok):
    folder = tmp_path / "fp16"
    build_model(ModelSize("xs", 32, 1, 2), tok, seed=5).half().save_pretrained(folder)
    tok.save_pretrained(folder)
    assert next(load_model(folder).parameters()).dtype == torch.float32  # transformers alone loads it in fp16
    res = train_stage(apply_overrides(smoke, STEPS), "ecominstruct", tmp_path / "ft", init_from=folder, examples=rows,
                      progress=False)
    assert all(math.isfinite(x) for x in _losses(res))
    with safe_open(str(tmp_path / "ft" / "model.safetensors"), "pt") as f:
        weights = [f.get_tensor(k) for k in f.keys()]
    assert all(w.dtype == torch.float32 and torch.isfinite(w).all() for w in weights)
