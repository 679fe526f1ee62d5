"""The README's paper-profile commands, run exactly (shrunk with --set) on CPU with local tiny fp16 checkpoints
standing in for bigscience/bloom-7b1 and bigscience/bloomz-7b1, on the open world and the published suite's
two folders in $ECOMLIB_DATA_DIR. No pretraining or general stage runs; both baselines are evaluated as they are."""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ecomlib.config import ModelSize
from ecomlib.training import build_model

REPO = Path(__file__).resolve().parents[2]
DATA = os.environ.get("ECOMLIB_DATA_DIR")
PUBLISHED = {"EN-ABSA-CLS-review_topic_category", "EN-Lenovo-NER-NER"}


def readme_paper_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- paper-commands:.*?-->\n```bash\n(.*?)```", text, re.S)
    assert block, "README: no paper-commands block"
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines()
            if line.strip() and not line.startswith("export ")]


def _shrink(tmp: Path) -> list[str]:
    ladder = (f"[{{name: 7b1, hidden_size: 32, n_layer: 2, n_head: 2, pretrained: {tmp / 'hub/bloomz-7b1'}, "
              f"pretrained_bloom: {tmp / 'hub/bloom-7b1'}}}]")
    sets = {"world.records_per_source": 60, "world.products_per_category": 2, "world.general_per_task": 5,
            "data.max_per_task": 6, "data.heldout_per_task": 3, "eval.n_per_task": 2, "eval.max_new_tokens": 6,
            "train.max_length": 128, "train.batch_size": 2, "train.grad_accum": 2, "train.max_steps": 2,
            "train.bf16": "false", "model.ladder": ladder, "model.default_size": "7b1",
            "tokenizer.pretrained": tmp / "hub/bloomz-7b1"}
    return [a for k, v in sets.items() for a in ("--set", f"{k}={v}")]


def _command(line: str, tmp: Path) -> list[str]:
    line = line.replace("bigscience/bloomz-7b1", str(tmp / "hub/bloomz-7b1")).replace("bigscience/bloom-7b1", str(tmp / "hub/bloom-7b1"))
    argv = shlex.split(line)
    if argv[0] == "accelerate":  # two CPU processes instead of the config's 8 GPUs in bf16
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cfg = argv.index("--config_file") + 2
        argv = [sys.executable, "-m", "accelerate.commands.launch", *argv[2:cfg], "--num_processes", "2",
                "--mixed_precision", "no", "--main_process_port", str(port), *argv[cfg:]]
    else:
        assert argv[0] == "ecomlib", line
        argv = [sys.executable, "-m", "ecomlib.cli", *argv[1:]]
    return argv + _shrink(tmp) + ["--no-progress"] * ("train" in argv or "study" in argv)


@pytest.fixture
def checkpoints(tmp_path, tok):
    """fp16 folders, as the published checkpoints are (about 2 bytes per parameter)."""
    for name, seed in (("bloom-7b1", 1), ("bloomz-7b1", 2)):
        model = build_model(ModelSize("7b1", 32, 2, 2), tok, seed).half()
        model.save_pretrained(tmp_path / "hub" / name)
        tok.save_pretrained(tmp_path / "hub" / name)
    return tmp_path


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.skipif(not DATA, reason="needs ECOMLIB_DATA_DIR (the open world and the published suite)")
@pytest.mark.skipif(not __import__("importlib").util.find_spec("deepspeed"), reason="needs the deepspeed extra")
def test_readme_paper_commands_run_end_to_end(checkpoints):
    tmp = checkpoints
    (tmp / "configs").symlink_to(REPO / "configs")  # the README's relative config path, from the run folder
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               ECOMLIB_WORK_DIR=str(tmp / "work"), ECOMLIB_DATA_DIR=DATA)
    for line in readme_paper_commands():
        r = subprocess.run(_command(line, tmp), cwd=tmp, env=env, capture_output=True, text=True)
        assert r.returncode == 0, f"{line}\n{r.stderr[-3000:]}"

    result = json.loads((tmp / "m/ecomgpt-7b1/result.json").read_text())
    assert result["distributed"] == "DEEPSPEED"
    assert result["steps"] == result["optimizer_steps"] == result["scheduler_steps"] == 2
    losses = [json.loads(x)["loss"] for x in (tmp / "m/ecomgpt-7b1/history.jsonl").read_text().splitlines()]
    assert all(math.isfinite(x) for x in losses)  # the fp16 checkpoint trained in fp32
    for name in ("ecomgpt-7b1", "bloomz-7b1", "bloom-7b1"):
        scores = json.loads((tmp / "eval" / name / "scores.json").read_text())
        assert PUBLISHED <= set(scores["tasks"]), name
    rows = json.loads((tmp / "results/paper/model_ladder.json").read_text())
    assert [r["size"] for r in rows] == ["7b1"]
    work = tmp / "work"
    assert list(work.rglob("model-ecomgpt*"))  # the study fine-tuned (the cache names stages by kind)
    assert not list(work.rglob("model-pretrain*")) and not list(work.rglob("model-general*"))
