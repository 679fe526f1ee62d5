"""Packed rows give each instance exactly the logits and loss it gets alone (no cross-contamination)."""

import torch
import torch.nn.functional as F

from ecomlib.config import ModelSize
from ecomlib.training import build_model, enable_packed_attention
from ecomlib.training.data import IGNORE, collate, encode_instructions


def test_packed_equals_alone(tok, rows):
    model = build_model(ModelSize(hidden_size=32, n_layer=2, n_head=4), tok, seed=0).eval()
    enable_packed_attention(model)
    ex = encode_instructions(rows[:5], tok, 256)
    batch = collate([[0, 1, 2], [3, 4]], ex, tok.pad_token_id, packing=True)
    with torch.no_grad():
        packed = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask).logits
        for b, members in enumerate([[0, 1, 2], [3, 4]]):
            pos = 0
            for i in members:
                ids, tgt = ex[i]
                alone = model(input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long)).logits[0]
                part = packed[b, pos : pos + len(ids)]
                assert torch.allclose(part, alone, atol=1e-5, rtol=0), (b, i, (part - alone).abs().max())
                t = torch.tensor(tgt)
                assert torch.allclose(F.cross_entropy(part, t, ignore_index=IGNORE),
                                      F.cross_entropy(alone, t, ignore_index=IGNORE), atol=1e-6)
                pos += len(ids)


def test_without_block_mask_instances_would_mix(tok, rows):
    """The check above can fail: a plain causal mask over the same row changes later instances."""
    model = build_model(ModelSize(hidden_size=32, n_layer=2, n_head=4), tok, seed=0).eval()
    ex = encode_instructions(rows[:2], tok, 256)
    ids = ex[0][0] + ex[1][0]
    with torch.no_grad():
        mixed = model(input_ids=torch.tensor([ids])).logits[0, len(ex[0][0]):]
        alone = model(input_ids=torch.tensor([ex[1][0]])).logits[0]
    assert (mixed - alone).abs().max() > 1e-3
