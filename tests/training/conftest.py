"""Hand-written fixtures for the training tests: a few bilingual documents and instruction rows."""

from __future__ import annotations

import json
import random
import socket
from pathlib import Path

import pytest

from ecomlib.config import load_profile
from ecomlib.schema import PROMPT_END

WORDS = ("phone case battery screen charger cable red blue cheap fast slow great bad delivery price "
         "手机 耳机 蓝色 音质 很好 电池 续航 一般 快递 价格").split()


def sentence(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def make_texts(n: int = 120, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [sentence(rng, 5, 40) for _ in range(n)]


def make_rows(n: int = 160, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rows.append({
            "task": "EN-Fixture-CLS-sentiment", "index": i, "lang": "en",
            "prompt": f"Classify the sentiment of the review.\nInput: {sentence(rng, 4, 30)}\n{PROMPT_END}",
            "output": rng.choice(["positive", "negative", "neutral"]),
        })
    return rows


@pytest.fixture(scope="session")
def texts() -> list[str]:
    return make_texts()


@pytest.fixture(scope="session")
def rows() -> list[dict]:
    return make_rows()


@pytest.fixture(scope="session")
def tok(texts):
    from ecomlib.training import train_tokenizer

    return train_tokenizer(texts + [r["prompt"] + r["output"] for r in make_rows()], 400, 2)


@pytest.fixture
def smoke():
    return load_profile("smoke")


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def free_port() -> int:
    """A TCP port nobody listens on now: fixed launcher ports collide with a leftover or parallel run."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
