"""train.attention=sdpa: the same logits, loss and gradients as Bloom's eager attention, packed or not."""

import pytest
import torch
import torch.nn.functional as F

from ecomlib.config import ModelSize, apply_overrides
from ecomlib.training import build_model, enable_packed_attention, enable_sdpa_attention, train_stage
from ecomlib.training.data import IGNORE, collate, encode_instructions

SIZE = ModelSize(hidden_size=32, n_layer=2, n_head=4)


def step(model, batch):
    model.zero_grad()
    logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask, use_cache=False).logits
    loss = F.cross_entropy(logits.flatten(0, 1), batch.targets.flatten(), ignore_index=IGNORE, reduction="sum")
    loss.backward()
    return logits.detach(), {n: p.grad.clone() for n, p in model.named_parameters()}


@pytest.mark.parametrize("packing", [True, False])
def test_sdpa_matches_eager(tok, rows, packing):
    ex = encode_instructions(rows[:9], tok, 256)
    groups = [[0, 1, 2], [3, 4], [5, 6, 7, 8]] if packing else [[i] for i in range(9)]
    batch = collate(groups, ex, tok.pad_token_id, packing=packing)
    eager, sdpa = build_model(SIZE, tok, seed=0), build_model(SIZE, tok, seed=0)
    for m in (eager, sdpa):
        if packing:
            enable_packed_attention(m)
    assert enable_sdpa_attention(sdpa) == SIZE.n_layer
    real = batch.targets != IGNORE  # compare where a loss is taken (padding rows differ by design)
    la, ga = step(eager, batch)
    lb, gb = step(sdpa, batch)
    assert torch.allclose(lb[real], la[real], atol=1e-5, rtol=0)
    for name, g in ga.items():
        assert torch.allclose(gb[name], g, atol=1e-5, rtol=1e-4), name


def test_sdpa_without_mask_is_causal(tok, rows):
    ids = torch.tensor([encode_instructions(rows[:1], tok, 256)[0][0]])
    eager, sdpa = build_model(SIZE, tok, seed=0).eval(), build_model(SIZE, tok, seed=0).eval()
    enable_sdpa_attention(sdpa)
    with torch.no_grad():
        a = eager(input_ids=ids, use_cache=False).logits
        b = sdpa(input_ids=ids, use_cache=False).logits
        b_prefix = sdpa(input_ids=ids[:, :5], use_cache=False).logits
    assert torch.allclose(a, b, atol=1e-5, rtol=0)
    assert torch.allclose(b[:, :5], b_prefix, atol=1e-5, rtol=0)  # no position sees the future


def test_training_with_sdpa_gives_eager_losses(tmp_path, smoke, rows, tok):
    p = apply_overrides(smoke, ["train.max_steps=4"])
    a = train_stage(p, "ecominstruct", tmp_path / "a", tokenizer=tok, examples=rows, progress=False)
    b = train_stage(apply_overrides(p, ["train.attention=sdpa"]), "ecominstruct", tmp_path / "b", tokenizer=tok,
                    examples=rows, progress=False)
    assert [h["loss"] for h in b.history] == pytest.approx([h["loss"] for h in a.history], abs=1e-4)


def test_training_with_sdpa_is_deterministic(tmp_path, smoke, rows, tok):
    """The cpu profile trains with sdpa: two runs of the same configuration give the same losses, exactly."""
    p = apply_overrides(smoke, ["train.max_steps=6", "train.attention=sdpa"])
    run = lambda d: [h["loss"] for h in train_stage(p, "ecominstruct", tmp_path / d, tokenizer=tok, examples=rows,  # noqa: E731
                                                     progress=False).history]
    assert run("a") == run("b")
