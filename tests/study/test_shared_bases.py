"""Issue #25's two training knobs: the general stage's own learning rate (``train.general_lr``) and bases
shared by every seed replicate (``train.base_seed``), on the smoke profile."""

from __future__ import annotations

import json

import pytest

from ecomlib.config import TrainConfig, load_profile
from ecomlib.study import pipeline
from ecomlib.study.plan import main_table, seed_profile


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))
    return tmp_path / "work"


def test_each_stage_has_its_learning_rate():
    t = TrainConfig(lr=0.002, pretrain_lr=0.01)
    assert (t.stage_lr("pretrain"), t.stage_lr("general"), t.stage_lr("ecominstruct")) == (0.01, 0.002, 0.002)
    t = TrainConfig(lr=0.002, pretrain_lr=0.01, general_lr=0.004)
    assert (t.stage_lr("pretrain"), t.stage_lr("general"), t.stage_lr("ecominstruct")) == (0.01, 0.004, 0.002)
    assert load_profile("smoke").train.general_lr is None  # null by default: as before, train.lr


def _peak_lr(model_dir) -> float:
    rows = [json.loads(line) for line in (model_dir / "history.jsonl").read_text().splitlines()]
    return max(r["lr"] for r in rows if "lr" in r)


def test_the_general_stage_trains_at_general_lr_and_the_fine_tune_at_lr(work):
    p = load_profile("smoke", ["train.general_lr=0.009", "train.lr=0.001"])
    general = pipeline.base_model(p, "xs", "general")
    assert _peak_lr(general) == pytest.approx(0.009, rel=0.2)
    assert _peak_lr(pipeline.finetune(p, "xs")) == pytest.approx(0.001, rel=0.2)
    # the fine-tune's lr does not key the general stage any more when general_lr is set
    assert pipeline.base_model(load_profile("smoke", ["train.general_lr=0.009", "train.lr=0.002"]), "xs", "general") == general


def test_shared_bases_are_trained_once_for_every_seed(work):
    p = load_profile("smoke", ["train.base_seed=0", "study.seeds=[0, 1, 2]"])
    one, two = seed_profile(p, 1), seed_profile(p, 2)
    assert pipeline.base_model(one, "xs", "general") == pipeline.base_model(two, "xs", "general") \
        == pipeline.base_model(p, "xs", "general")
    assert pipeline.finetune(one, "xs") != pipeline.finetune(two, "xs")  # the replicates differ in the fine-tune
    per_seed = load_profile("smoke", ["study.seeds=[0, 1]"])  # null: each seed retrains its bases (as before)
    assert pipeline.base_model(seed_profile(per_seed, 1), "xs", "pretrain") != pipeline.base_model(per_seed, "xs", "pretrain")


def test_the_main_table_lists_a_shared_base_once():
    p = load_profile("smoke", ["train.base_seed=0", "study.seeds=[0, 1, 2]"])
    rows = main_table(p)
    count = lambda fam: sum(r.arm.family == fam for r in rows)  # noqa: E731
    sizes = len(p.model.ladder)
    assert (count("BLOOM-like"), count("BLOOMZ-like"), count("EcomGPT")) == (sizes, sizes, 3 * sizes)
    per_seed = main_table(load_profile("smoke", ["study.seeds=[0, 1, 2]"]))
    assert sum(r.arm.family == "BLOOM-like" for r in per_seed) == 3 * sizes


def test_a_sizes_own_epochs_key_its_fine_tune_and_not_its_bases(work):
    import dataclasses

    p = load_profile("smoke", ["train.max_steps=0", "train.epochs=0.5"])
    ladder = [dataclasses.replace(s, epochs=1.0) if s.name == "xs" else s for s in p.model.ladder]
    own = dataclasses.replace(p, model=dataclasses.replace(p.model, ladder=ladder))
    assert pipeline.base_model(own, "xs", "general") == pipeline.base_model(p, "xs", "general")  # no retraining
    half, full = pipeline.finetune(p, "xs"), pipeline.finetune(own, "xs")
    assert half != full
    assert json.loads((full / "run_config.json").read_text())["train"]["epochs"] == 1.0
    assert json.loads((full / "result.json").read_text())["steps"] > json.loads((half / "result.json").read_text())["steps"]
