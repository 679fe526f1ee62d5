"""Exporting a build for other trainers: chat messages and prompt/completion pairs."""

import json

import pytest

from ecomlib.commands.export import main
from ecomlib.errors import DataError
from ecomlib.instruct.export import export_build, to_chat_jsonl, to_prompt_completion_jsonl
from ecomlib.schema import ROW_KEYS


def _row(task, i, split):
    row = {k: "" for k in ROW_KEYS}
    row.update(task=task, index=i, prompt=f"Q{i} 标题\n### Response:\n", output=f"A{i}", lang="en",
               candidates=[], level="unseen_dataset" if split == "heldout" else "")
    return row


@pytest.fixture
def build(tmp_path):
    folder = tmp_path / "build" / "ecominstruct"
    folder.mkdir(parents=True)
    for split in ("train", "heldout"):
        rows = [_row("EN-X-CLS-sentiment", i, split) for i in range(3)]
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return tmp_path / "build"


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_chat_keeps_prompt_and_output_verbatim(build, tmp_path):
    out = to_chat_jsonl(build, tmp_path / "chat.jsonl")
    rows = _lines(out)
    assert len(rows) == 3
    assert rows[1] == {"messages": [{"role": "user", "content": "Q1 标题\n### Response:\n"},
                                    {"role": "assistant", "content": "A1"}]}
    assert "标题" in out.read_text(encoding="utf-8")  # UTF-8 kept, not \u-escaped


def test_prompt_completion_with_kept_keys(build, tmp_path):
    rows = _lines(to_prompt_completion_jsonl(build, tmp_path / "pc.jsonl", split="heldout", keep=["task", "level"]))
    assert rows[0] == {"prompt": "Q0 标题\n### Response:\n", "completion": "A0", "task": "EN-X-CLS-sentiment",
                       "level": "unseen_dataset"}


def test_export_build_is_deterministic_and_writes_every_split(build, tmp_path):
    a = export_build(build, tmp_path / "a", "chat")
    b = export_build(build, tmp_path / "b", "chat")
    assert [p.name for p in a] == ["train.chat.jsonl", "heldout.chat.jsonl"]
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    with pytest.raises(DataError, match="expected a build-data --out folder"):
        export_build(tmp_path / "a", tmp_path / "c", "chat")


def test_errors_leave_nothing_written(build, tmp_path, capsys):
    with pytest.raises(DataError, match="not row keys"):
        export_build(build, tmp_path / "x", "chat", keep=["nope"])
    with pytest.raises(DataError, match="format 'sharegpt'"):
        export_build(build, tmp_path / "x", "sharegpt")
    (build / "ecominstruct" / "heldout.jsonl").write_text('{"task": "t"}\n')
    assert main(["--build", str(build), "--format", "chat", "--out", str(tmp_path / "x")]) == 2
    assert "heldout.jsonl, line 1: row keys differ" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()  # train was fine, but nothing is written when heldout is bad
