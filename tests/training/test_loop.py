import json

import pytest
import torch
import torch.nn.functional as F
from transformers import AutoModelForCausalLM, AutoTokenizer

from ecomlib.config import apply_overrides
from ecomlib.errors import ConfigError, DataError
from ecomlib.seeding import stable_seed
from ecomlib.training import build_model, enable_packed_attention, train_stage
from ecomlib.training.data import IGNORE, SEED_SEP, MicroBatchStream, encode_instructions

# First losses of the smoke profile's xs model on the fixture documents (pretrain stage). A change to
# data, masking, init or optimisation moves them; update deliberately, with the reason in the commit.
PINNED_PRETRAIN = [5.9906, 5.9741, 5.9317, 5.8528]


def test_smoke_pretrain_pinned_and_saved(tmp_path, smoke, texts, tok):
    res = train_stage(smoke, "pretrain", tmp_path / "m", tokenizer=tok, texts=texts, progress=False)
    losses = [h["loss"] for h in res.history]
    assert len(losses) == smoke.train.pretrain_steps
    assert losses[:4] == pytest.approx(PINNED_PRETRAIN, abs=2e-3)
    assert losses[-1] < losses[0] - 0.3
    h = res.history[-1]
    assert {"loss", "lr", "tokens_total", "tokens_padded", "tokens_trained", "tokens_per_s"} <= set(h)
    assert res.tokens == {"total": h["tokens_total"], "padded": h["tokens_padded"], "trained": h["tokens_trained"]}
    # Saved model loads with the Auto classes and gives the same loss as the trained one would.
    model = AutoModelForCausalLM.from_pretrained(res.out_dir)
    assert AutoTokenizer.from_pretrained(res.out_dir).get_vocab() == tok.get_vocab()
    card = (res.out_dir / "README.md").read_text()
    assert f"{res.final_loss:.4f}" in card and f"{res.tokens['trained']:,} trained" in card
    hist = [json.loads(l) for l in (res.out_dir / "history.jsonl").read_text().splitlines()]
    assert hist == res.history
    assert not (res.out_dir / "checkpoints").exists()
    assert model.config.n_layer == smoke.size("xs").n_layer


def test_deterministic_and_seed_sensitive(tmp_path, smoke, rows, tok):
    run = lambda d, p: [h["loss"] for h in train_stage(p, "ecominstruct", tmp_path / d, tokenizer=tok, examples=rows, progress=False).history]
    a, b = run("a", smoke), run("b", smoke)
    assert a == b
    assert run("c", apply_overrides(smoke, ["train.seed=1"])) != a


def test_loss_is_mean_over_all_trained_tokens_of_the_accumulated_batch(tmp_path, smoke, rows, tok):
    p = apply_overrides(smoke, ["train.grad_accum=3", "train.batch_size=2", "train.max_steps=1"])
    res = train_stage(p, "ecominstruct", tmp_path / "m", tokenizer=tok, examples=rows, progress=False)
    model = build_model(p.size("xs"), tok, p.train.seed)
    enable_packed_attention(model)
    ex = encode_instructions(rows, tok, p.train.max_length)
    stream = MicroBatchStream(ex, 2, p.train.max_length, True, stable_seed(p.train.seed, "ecominstruct", sep=SEED_SEP), tok.pad_token_id)
    total, n = 0.0, 0
    sizes = []
    with torch.no_grad():
        for k in range(3):
            b, _ = stream.get(k)
            logits = model(input_ids=b.input_ids, attention_mask=b.attention_mask).logits
            total += float(F.cross_entropy(logits.flatten(0, 1), b.targets.flatten(), ignore_index=IGNORE, reduction="sum"))
            n += b.n_trained
            sizes.append(b.n_trained)
    assert len(set(sizes)) > 1  # micro-batches differ, so a mean of means would differ
    assert res.history[0]["loss"] == pytest.approx(total / n, abs=1e-5)
    assert res.history[0]["tokens_trained"] == n


def test_packing_and_length_grouping_both_train(tmp_path, smoke, rows, tok):
    out = {}
    for packing in (True, False):
        p = apply_overrides(smoke, [f"train.packing={str(packing).lower()}", "train.max_steps=6"])
        res = train_stage(p, "ecominstruct", tmp_path / str(packing), tokenizer=tok, examples=rows, progress=False)
        out[packing] = res
        assert res.history[-1]["loss"] < res.history[0]["loss"]
    real = {k: (r.tokens["total"] - r.tokens["padded"]) / len(r.history) for k, r in out.items()}
    assert real[True] > 2 * real[False]  # packing fits several instances per row


def test_lora_saves_plain_merged_model(tmp_path, smoke, rows, tok):
    p = apply_overrides(smoke, ["train.lora=true", "train.lora_r=4", "train.lora_alpha=8", "train.max_steps=4", "train.lr=0.01"])
    res = train_stage(p, "ecominstruct", tmp_path / "m", tokenizer=tok, examples=rows, progress=False)
    base = build_model(p.size("xs"), tok, p.train.seed)
    model = AutoModelForCausalLM.from_pretrained(res.out_dir)
    sd = model.state_dict()
    assert not any("lora" in k for k in sd)
    changed = [k for k, v in base.state_dict().items() if not torch.equal(v, sd[k])]
    assert changed and all("query_key_value" in k or "dense" in k for k in changed)  # only LoRA targets moved


def test_gradient_checkpointing_same_losses(tmp_path, smoke, rows, tok):
    p = apply_overrides(smoke, ["train.max_steps=3"])
    a = train_stage(p, "ecominstruct", tmp_path / "a", tokenizer=tok, examples=rows, progress=False)
    g = apply_overrides(p, ["train.gradient_checkpointing=true"])
    b = train_stage(g, "ecominstruct", tmp_path / "b", tokenizer=tok, examples=rows, progress=False)
    assert [h["loss"] for h in b.history] == pytest.approx([h["loss"] for h in a.history], abs=1e-6)


def test_init_from_previous_stage_and_bad_rows(tmp_path, smoke, rows, texts, tok):
    pre = train_stage(smoke, "pretrain", tmp_path / "pre", tokenizer=tok, texts=texts, progress=False)
    gen = train_stage(smoke, "general", tmp_path / "gen", init_from=pre.out_dir, examples=rows, progress=False)
    # Step 1's loss is the pretrained model's loss on the first batch: recompute it from the saved weights.
    model = AutoModelForCausalLM.from_pretrained(pre.out_dir)
    enable_packed_attention(model)
    ex = encode_instructions(rows, tok, smoke.train.max_length)
    b, _ = MicroBatchStream(ex, 8, smoke.train.max_length, True, stable_seed(smoke.train.seed, "general", sep=SEED_SEP), 0).get(0)
    with torch.no_grad():
        logits = model(input_ids=b.input_ids, attention_mask=b.attention_mask).logits
    want = float(F.cross_entropy(logits.flatten(0, 1), b.targets.flatten(), ignore_index=IGNORE))
    assert gen.history[0]["loss"] == pytest.approx(want, abs=1e-5)
    bad = [dict(rows[0]), dict(rows[1], prompt="no response marker")]
    with pytest.raises(DataError, match="row 2.*PROMPT|row 2.*end with"):
        train_stage(smoke, "ecominstruct", tmp_path / "bad", tokenizer=tok, examples=bad, progress=False)
    with pytest.raises(ConfigError, match="needs examples"):
        train_stage(smoke, "ecominstruct", tmp_path / "none", tokenizer=tok, progress=False)
    with pytest.raises(ConfigError, match="stage"):
        train_stage(smoke, "sft", tmp_path / "x", tokenizer=tok, examples=rows)


def test_a_size_with_its_own_epochs_fine_tunes_that_many(tmp_path, smoke, rows, tok):
    import dataclasses

    p = apply_overrides(smoke, ["train.max_steps=0", "train.epochs=0.5"])
    size = p.model.default_size
    ladder = [dataclasses.replace(s, epochs=1.0) if s.name == size else s for s in p.model.ladder]
    own = dataclasses.replace(p, model=dataclasses.replace(p.model, ladder=ladder))
    run = lambda prof, d: train_stage(prof, "ecominstruct", tmp_path / d, tokenizer=tok, examples=rows, size=size,
                                      progress=False)
    half, full = run(p, "half"), run(own, "full")
    assert len(half.history) >= 2
    assert abs(len(full.history) - 2 * len(half.history)) <= 1  # one epoch of the same stream against half of one
    assert json.loads((tmp_path / "full" / "run_config.json").read_text())["train"]["epochs"] == 1.0
