"""The loop's speed-ups change no result: fused GeLU = Bloom's GeLU, response-only logits = full-logit loss."""

import pytest
import torch
import torch.nn.functional as F
from transformers import AutoModelForCausalLM
from transformers.models.bloom.modeling_bloom import BloomGelu

from ecomlib.config import ModelSize
from ecomlib.training import build_model, enable_fused_gelu
from ecomlib.training.data import IGNORE, collate, encode_instructions

SIZE = ModelSize(hidden_size=32, n_layer=2, n_head=4)


def loss_and_grads(model, batch, keep_only: bool):
    model.zero_grad()
    if keep_only:
        keep = batch.targets != IGNORE
        logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask, logits_to_keep=keep, use_cache=False).logits
        loss = F.cross_entropy(logits, batch.targets[keep], reduction="sum")
    else:
        logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask).logits
        loss = F.cross_entropy(logits.flatten(0, 1), batch.targets.flatten(), ignore_index=IGNORE, reduction="sum")
    loss.backward()
    return float(loss.detach()), {n: p.grad.clone() for n, p in model.named_parameters()}


@pytest.fixture()
def batch(tok, rows):
    ex = encode_instructions(rows[:8], tok, 256)
    return collate([[i] for i in range(8)], ex, tok.pad_token_id, packing=False)


def test_fused_gelu_is_blooms_gelu():
    x = torch.linspace(-8, 8, 4001, dtype=torch.float64, requires_grad=True)
    stock = BloomGelu()(x)
    (g_stock,) = torch.autograd.grad(stock.sum(), x)
    m = torch.nn.Sequential(BloomGelu())
    assert enable_fused_gelu(m) == 1
    fused = m(x)
    (g_fused,) = torch.autograd.grad(fused.sum(), x)
    assert torch.allclose(fused, stock, atol=1e-7, rtol=0)
    assert torch.allclose(g_fused, g_stock, atol=1e-6, rtol=0)
    # The check can fail: the exact (erf) GeLU is a different function at this tolerance.
    assert (F.gelu(x) - stock).abs().max() > 1e-4


def test_speedups_keep_loss_and_gradients(tok, batch):
    stock = build_model(SIZE, tok, seed=0)
    fast = build_model(SIZE, tok, seed=0)
    assert enable_fused_gelu(fast) == SIZE.n_layer
    loss_a, grads_a = loss_and_grads(stock, batch, keep_only=False)
    loss_b, grads_b = loss_and_grads(fast, batch, keep_only=True)
    assert loss_b == pytest.approx(loss_a, rel=1e-6)
    for name, g in grads_a.items():
        assert torch.allclose(grads_b[name], g, atol=1e-6, rtol=1e-4), name


def test_fused_gelu_is_not_saved(tmp_path, tok):
    model = build_model(SIZE, tok, seed=0)
    enable_fused_gelu(model)
    model.save_pretrained(tmp_path)
    loaded = AutoModelForCausalLM.from_pretrained(tmp_path)
    gelus = [m for m in loaded.modules() if isinstance(m, BloomGelu)]
    assert gelus and all("forward" not in vars(m) for m in gelus)  # plain Bloom again
