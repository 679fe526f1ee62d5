"""What goes into a stage's cache key (captured without running the stages)."""

from pathlib import Path

import pytest

from ecomlib.config import apply_overrides, load_profile
from ecomlib.study import pipeline, runs


@pytest.fixture
def keys(monkeypatch, tmp_path):
    """Replace ``cached`` by a recorder: (stage, params, deps) per call; no stage runs."""
    seen = []

    def fake(stage, params, build, deps=(), resumable=False):
        seen.append((stage, params, tuple(deps)))
        return tmp_path / stage / runs.key_of(params)

    monkeypatch.setattr(pipeline, "cached", fake)
    return seen


def _key(seen, stage):
    return runs.key_of([p for s, p, _ in seen if s == stage][-1])


def test_data_key_carries_the_builders_versioned_fingerprint(keys, monkeypatch):
    from ecomlib.instruct import builder

    p = load_profile("smoke")
    pipeline.build_data(p)
    before = _key(keys, "data")
    monkeypatch.setattr(builder, "BUILDER_VERSION", builder.BUILDER_VERSION + 1)
    pipeline.build_data(p)
    assert _key(keys, "data") != before


def test_open_world_data_key_carries_the_pinned_file_hashes(keys, monkeypatch):
    import dataclasses

    from ecomlib.sources import registry

    p = load_profile("smoke", ["data.world=open"])
    pipeline.build_data(p)
    before = _key(keys, "data")
    repinned = (dataclasses.replace(registry.FILES[0], sha256="0" * 64),) + registry.FILES[1:]
    monkeypatch.setattr(registry, "FILES", repinned)
    pipeline.build_data(p)
    assert _key(keys, "data") != before


@pytest.mark.parametrize("override", ["train.weight_decay=0.1", "train.bf16=true", "train.attention=sdpa",
                                      "train.warmup_ratio=0.5"])
def test_base_model_key_covers_every_train_field_that_changes_it(keys, override):
    p = load_profile("smoke")
    for stage in ("pretrain", "general"):
        pipeline.base_model(p, "xs", stage)
        before = _key(keys, f"model-{stage}")
        pipeline.base_model(apply_overrides(p, [override]), "xs", stage)
        assert _key(keys, f"model-{stage}") != before, (stage, override)


def test_lora_keys_the_general_stage_but_not_pretraining(keys):
    p = load_profile("smoke")
    lora = apply_overrides(p, ["train.lora=true"])
    for stage, differs in (("pretrain", False), ("general", True)):
        pipeline.base_model(p, "xs", stage)
        before = _key(keys, f"model-{stage}")
        pipeline.base_model(lora, "xs", stage)
        assert (_key(keys, f"model-{stage}") != before) == differs, stage


def test_lora_is_not_applied_to_pretraining_from_random_init(tmp_path):
    import torch
    from transformers import AutoModelForCausalLM

    from ecomlib.training import train_stage, train_tokenizer
    from ecomlib.training.models import build_model

    p = load_profile("smoke", ["train.lora=true", "train.pretrain_steps=2", "train.max_length=32"])
    texts = ["a cheap red phone case with fast delivery and a great price"] * 40
    tok = train_tokenizer(texts, 300, 1)
    res = train_stage(p, "pretrain", tmp_path / "m", tokenizer=tok, texts=texts, progress=False)
    trained = AutoModelForCausalLM.from_pretrained(res.out_dir).state_dict()
    base = build_model(p.size("xs"), tok, p.train.seed).state_dict()
    emb = next(k for k in base if "word_embeddings" in k)
    assert not torch.equal(base[emb], trained[emb])  # every weight trained, not only LoRA's targets


def test_stage_key_changes_with_code_and_versions(tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path))
    a = runs.stage_path("s", {"x": 1}, deps=("evaluation",))
    assert a != runs.stage_path("s", {"x": 1}, deps=("training",))
    monkeypatch.setattr(runs, "environment_versions", lambda: {"python": "3.11.0", "torch": "0.0.1"})
    assert a != runs.stage_path("s", {"x": 1}, deps=("evaluation",))
    with pytest.raises(FileNotFoundError, match="no_such_module"):
        runs.code_fingerprint(("no_such_module.py",))
