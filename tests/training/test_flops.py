"""MFU's FLOP count matches the matmul FLOPs torch counts for one training step of a tiny Bloom."""

import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from ecomlib.config import ModelSize
from ecomlib.training import build_model
from ecomlib.training.data import IGNORE, collate, encode_instructions
from ecomlib.training.loop import ModelFlops


def test_model_flops_match_counted_matmuls(tok, rows):
    size = ModelSize(hidden_size=64, n_layer=3, n_head=4)
    model = build_model(size, tok, seed=0)
    ex = encode_instructions(rows[:1], tok, 256)
    b = collate([[0]], ex, tok.pad_token_id, packing=False)  # one instance: no padding
    n = b.n_total - b.n_padded
    keep = b.targets != IGNORE
    with FlopCounterMode(display=False) as counter:
        logits = model(input_ids=b.input_ids, attention_mask=b.attention_mask, logits_to_keep=keep, use_cache=False).logits
        F.cross_entropy(logits, b.targets[keep], reduction="sum").backward()
    counted = counter.get_total_flops()
    mf = ModelFlops.of_model(model)
    assert (mf.vocab, mf.hidden, mf.layers) == (model.get_input_embeddings().num_embeddings, 64, 3)
    ours = mf.of(n, b.n_trained, b.attn_pairs)
    # Bloom's eager attention multiplies the masked upper triangle too: torch counts 2x our causal term.
    # The small rest is bias and LayerNorm parameters (in 6N, but not matmuls) and the embedding backward.
    eager = ours + 6 * mf.layers * mf.hidden * b.attn_pairs
    assert abs(counted - eager) / counted < 0.05, (counted, eager)
    assert b.attn_pairs == n * n
