"""Two CPU processes (gloo, via ``accelerate launch``) match one process for the same global batch."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.training.conftest import free_port

REPO = Path(__file__).resolve().parents[2]


def _losses(out: Path) -> list[float]:
    return [json.loads(l)["loss"] for l in (out / "history.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_two_processes_match_one(tmp_path, rows, tok):
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tok.save_pretrained(tmp_path / "tok")
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    train = ["-m", "ecomlib.cli", "train", "--stage", "ecominstruct", "--data", str(data), "--tokenizer",
             str(tmp_path / "tok"), "--no-progress", "--set", "train.max_steps=6", "--set", "train.batch_size=4", "--set", "train.epochs=5"]
    # One process accumulating 2 micro-batches == two processes with 1 each (global batch 8 rows).
    subprocess.run([sys.executable, *train, "--out", str(tmp_path / "one"), "--set", "train.grad_accum=2"],
                   check=True, env=env, cwd=REPO, capture_output=True)
    launch = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
              "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(free_port())]
    r = subprocess.run([*launch, *train, "--out", str(tmp_path / "two"), "--set", "train.grad_accum=1"],
                       env=env, cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "2 process(es)" in (tmp_path / "two" / "README.md").read_text()
    one, two = _losses(tmp_path / "one"), _losses(tmp_path / "two")
    assert len(one) == len(two) == 6
    assert two == pytest.approx(one, abs=1e-5)
    h1 = json.loads((tmp_path / "one" / "result.json").read_text())
    h2 = json.loads((tmp_path / "two" / "result.json").read_text())
    assert h1["tokens"] == h2["tokens"]
