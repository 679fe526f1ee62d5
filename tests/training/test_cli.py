import argparse
import json

import pytest
from transformers import AutoModelForCausalLM

from ecomlib.cli import main
from ecomlib.config import load_profile
from ecomlib.errors import ConfigError
from ecomlib.training import train_stage


def test_cli_pretrain_then_ecominstruct(tmp_path, texts, rows, capsys):
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts))
    build = tmp_path / "build"
    build.mkdir()
    (build / "train.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    assert main(["train", "--stage", "pretrain", "--out", str(tmp_path / "pre"), "--data", str(tmp_path / "docs.jsonl"),
                 "--size", "s", "--no-progress", "--set", "train.pretrain_steps=3"]) == 0
    assert (tmp_path / "pre" / "tokenizer.json").is_file()  # trained from the documents and saved
    assert main(["train", "--stage", "ecominstruct", "--out", str(tmp_path / "eco"), "--data", str(build),
                 "--init", str(tmp_path / "pre"), "--no-progress", "--set", "train.max_steps=2"]) == 0
    assert "ecominstruct: 2 steps" in capsys.readouterr().out
    assert AutoModelForCausalLM.from_pretrained(tmp_path / "eco").config.hidden_size == 48  # size s kept
    # Finished run + --resume: nothing retrained.
    before = (tmp_path / "eco" / "model.safetensors").stat().st_mtime_ns
    assert main(["train", "--stage", "ecominstruct", "--out", str(tmp_path / "eco"), "--data", str(build),
                 "--init", str(tmp_path / "pre"), "--no-progress", "--resume", "--set", "train.max_steps=2"]) == 0
    assert (tmp_path / "eco" / "model.safetensors").stat().st_mtime_ns == before


def test_cli_bad_data_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "train.jsonl"
    bad.write_text('{"prompt": "p ### Response:\\n", "output": "o"}\n{"prompt": 3, "output": "o"}\n')
    assert main(["train", "--stage", "ecominstruct", "--out", str(tmp_path / "o"), "--data", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "train.jsonl, line 2, field 'prompt'" in err
    assert main(["train", "--stage", "ecominstruct", "--out", str(tmp_path / "o"), "--data", str(tmp_path / "nope")]) == 2


def test_cli_without_data_trains_on_the_synthetic_worlds_texts(tmp_path, monkeypatch):
    """The train verb, not the training loop, reads the world: the pretrain stage's documents and the
    general stage's rows and tokenizer text are the synthetic world's, handed to train_stage."""
    from ecomlib import world
    from ecomlib.commands import train as verb

    seen = {}

    class Stop(Exception):
        pass

    def fake_train_stage(profile, stage, out, **kw):
        seen[stage] = kw
        raise Stop

    def fake_train_tokenizer(source, *args):
        seen["tok_source"] = source
        return "TOK"

    monkeypatch.setattr(verb, "train_stage", fake_train_stage)
    monkeypatch.setattr(verb, "train_tokenizer", fake_train_tokenizer)
    small = ["world.pretrain_documents=5", "world.general_per_task=1"]
    for stage in ("pretrain", "general"):
        with pytest.raises(Stop):
            verb.run(argparse.Namespace(stage=stage, data=None, init=None, tokenizer=None, out=tmp_path / stage,
                                        size=None, resume=False, no_progress=True, profile="smoke", overrides=small))
    p = load_profile("smoke", small)
    assert seen["pretrain"]["texts"] == list(world.iter_pretrain_text(p.world, p.seed))
    assert seen["general"]["examples"] == list(world.iter_general_instructions(p.world, p.seed))
    assert seen["tok_source"] == seen["pretrain"]["texts"] and seen["general"]["tokenizer"] == "TOK"


@pytest.mark.parametrize("stage, kw", [("pretrain", "texts"), ("general", "examples")])
def test_train_stage_reads_no_world(tmp_path, smoke, tok, stage, kw):
    with pytest.raises(ConfigError, match=f"train_stage\\('{stage}'\\): needs {kw}"):
        train_stage(smoke, stage, tmp_path / "m", tokenizer=tok, progress=False)
