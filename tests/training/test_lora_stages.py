"""``train.lora`` adapts the fine-tuning stages only: a pretraining stage trains every weight, also when it
continues from a saved model (LoRA there used to freeze the embeddings and most of each layer)."""

from __future__ import annotations

import torch
from safetensors.torch import load_file

from ecomlib.config import ModelSize, apply_overrides
from ecomlib.training import build_model, train_stage


def test_pretraining_from_a_checkpoint_ignores_lora(tmp_path, smoke, texts, tok):
    init = tmp_path / "init"
    build_model(ModelSize("xs", 32, 1, 2), tok, seed=7).save_pretrained(init)
    tok.save_pretrained(init)
    profile = apply_overrides(smoke, ["train.lora=true", "train.pretrain_steps=2"])
    train_stage(profile, "pretrain", tmp_path / "pre", init_from=init, texts=texts, progress=False)
    before, after = load_file(init / "model.safetensors"), load_file(tmp_path / "pre" / "model.safetensors")
    key = "transformer.word_embeddings.weight"
    assert not torch.equal(before[key], after[key])  # trained, not frozen behind adapters
