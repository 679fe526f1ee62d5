"""A study training stage killed mid-way resumes from its last checkpoint on the next run."""

import json

import pytest

from ecomlib.config import load_profile
from ecomlib.study import pipeline, runs
from ecomlib.training import loop

SHRINK = ["world.records_per_source=10", "world.pretrain_documents=30", "world.general_per_task=2",
          "data.max_per_task=4", "data.heldout_per_task=2", "tokenizer.vocab_size=300", "train.pretrain_steps=6",
          "train.save_every=2", "train.batch_size=2", "train.max_length=64"]


def _losses(model_dir):
    return [json.loads(line)["loss"] for line in (model_dir / "history.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_killed_base_model_stage_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    p = load_profile("smoke", SHRINK)
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "straight"))
    straight = _losses(pipeline.base_model(p, "xs", "pretrain"))

    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))
    real_save = loop.save_checkpoint

    def save_then_die(accelerator, root, step, state, **k):
        out = real_save(accelerator, root, step, state, **k)
        if step == 4:
            raise KeyboardInterrupt  # killed after step 4's checkpoint
        return out

    monkeypatch.setattr(loop, "save_checkpoint", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        pipeline.base_model(p, "xs", "pretrain")
    monkeypatch.setattr(loop, "save_checkpoint", real_save)
    assert not [d for d in (tmp_path / "work" / "model-pretrain").iterdir() if runs.is_done(d)]

    resumed_from = []
    real_check = loop._check_resume

    def spy(*a, **k):
        got = real_check(*a, **k)
        resumed_from.append(None if got is None else got[1]["step"])  # the state is trained on afterwards
        return got

    monkeypatch.setattr(loop, "_check_resume", spy)
    model_dir = pipeline.base_model(p, "xs", "pretrain")
    (got,) = resumed_from
    assert got == 4  # continued from the checkpoint, not restarted
    assert _losses(model_dir) == straight  # and exactly as if never interrupted
    assert [d.name for d in model_dir.parent.iterdir()] == [model_dir.name]  # the partial folder became it
