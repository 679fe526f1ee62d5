import dataclasses
import re

from ecomlib.schema import PROMPT_END
from ecomlib.world import iter_general_instructions, iter_pretrain_text
from ecomlib.world.general import TASKS


def test_general_rows(smoke_world):
    rows = list(iter_general_instructions(smoke_world, 0))
    assert len(rows) == smoke_world.general_per_task * len(TASKS) * 2
    assert len(TASKS) >= 8
    for row in rows:
        assert set(row) == {"task", "lang", "prompt", "output"}
        assert row["lang"] in ("en", "zh") and row["task"] in TASKS
        assert row["prompt"].endswith(PROMPT_END) and row["output"]


def test_general_answers_are_correct(smoke_world):
    for row in iter_general_instructions(smoke_world, 0):
        inp = re.search(r"(?:Input: |输入：)(.*)\n", row["prompt"]).group(1)
        if row["task"] in ("add", "subtract", "multiply"):
            a, b = map(int, inp.split())
            assert int(row["output"]) == {"add": a + b, "subtract": a - b, "multiply": a * b}[row["task"]]
        words = inp.split(" " if row["lang"] == "en" else "、")
        if row["task"] == "copy":
            assert row["output"] == inp
        if row["task"] == "count_words":
            assert int(row["output"]) == len(words)
        if row["task"] == "reverse_words":
            assert row["output"].split(" " if row["lang"] == "en" else "、") == words[::-1]


def test_general_deterministic(smoke_world):
    a = list(iter_general_instructions(smoke_world, 0))
    assert a == list(iter_general_instructions(smoke_world, 0))
    assert a != list(iter_general_instructions(smoke_world, 1))
    assert list(iter_general_instructions(dataclasses.replace(smoke_world, general_per_task=0), 0)) == []


def test_pretrain_deterministic_bilingual(smoke_world):
    docs = list(iter_pretrain_text(smoke_world, 0))
    assert len(docs) == smoke_world.pretrain_documents
    assert all(isinstance(d, str) and d.strip() for d in docs)
    assert docs == list(iter_pretrain_text(smoke_world, 0))
    assert docs != list(iter_pretrain_text(smoke_world, 1))
    assert any(re.search(r"[\u4e00-\u9fff]", d) for d in docs) and any(d.isascii() for d in docs)
    assert list(iter_pretrain_text(dataclasses.replace(smoke_world, pretrain_documents=0), 0)) == []
