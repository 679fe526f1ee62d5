import json

from transformers import AutoModelForCausalLM

from ecomlib.cli import main


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
