"""Every committed accelerate config (configs/accelerate/*.yaml) launched on CPU with 2 processes and
``train.grad_accum=2`` trains exactly what one process accumulating 4 micro-batches trains.

Pinned per config: the number of optimizer steps (DeepSpeed's ``engine.global_steps``) and scheduler steps
equal the loop's steps; the losses equal the single-process run's; the saved model reloads with
``from_pretrained`` with the single-process weights; the model card counts every parameter (ZeRO-3's
local tensors are empty placeholders). The launch is the README's, with the config's GPU settings
overridden for a CPU machine (``--num_processes 2 --mixed_precision no``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

from tests.training.conftest import free_port, write_jsonl

REPO = Path(__file__).resolve().parents[2]
CONFIGS = sorted((REPO / "configs" / "accelerate").glob("*.yaml"))
STEPS = 4
# On a CPU machine accelerate runs MULTI_GPU as gloo data parallel (MULTI_CPU); the others stay what they are.
EXPECTED_TYPE = {"MULTI_GPU": "MULTI_CPU", "DEEPSPEED": "DEEPSPEED", "FSDP": "FSDP"}


def _train_args(tmp: Path, grad_accum: int) -> list[str]:
    return ["-m", "ecomlib.cli", "train", "--profile", "smoke", "--stage", "ecominstruct", "--data", str(tmp / "train.jsonl"),
            "--tokenizer", str(tmp / "tok"), "--no-progress", "--set", f"train.max_steps={STEPS}",
            "--set", "train.batch_size=4", "--set", "train.epochs=5", "--set", f"train.grad_accum={grad_accum}"]


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")


def _losses(out: Path) -> list[float]:
    return [json.loads(line)["loss"] for line in (out / "history.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def single(tmp_path_factory, rows, tok) -> Path:
    """One process, 4 accumulated micro-batches of 4 rows: the global batch of 2 processes x grad_accum 2."""
    tmp = tmp_path_factory.mktemp("launch")
    write_jsonl(tmp / "train.jsonl", rows)
    tok.save_pretrained(tmp / "tok")
    subprocess.run([sys.executable, *_train_args(tmp, 4), "--out", str(tmp / "one")], check=True, env=_env(), cwd=REPO,
                   capture_output=True)
    return tmp


def _card_parameters(out: Path) -> int:
    m = re.search(r"^- parameters: ([\d,]+)$", (out / "README.md").read_text(), re.M)
    assert m, "model card names no parameter count"
    return int(m.group(1).replace(",", ""))


@pytest.mark.slow
@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_config_launches_on_cpu_and_matches_one_process(config, single):
    kind = yaml.safe_load(config.read_text())["distributed_type"]
    if kind == "FSDP":
        # measured with accelerate 1.15 / torch 2.13: under cpu=True accelerate turns an FSDP launch into plain
        # gloo data parallel (MULTI_CPU); with cpu=False it creates no process group on a machine without a GPU
        # (distributed_type NO: each process trains alone, 1225 of the 2240 tokens). Nothing FSDP to test here.
        pytest.skip("accelerate runs FSDP only on GPUs (on CPU it becomes plain data parallel); see the comment")
    if kind == "DEEPSPEED" and importlib.util.find_spec("deepspeed") is None:
        pytest.skip("deepspeed is not installed (pip install -e '.[deepspeed]', as scripts/bootstrap.sh does)")
    out = single / config.stem
    launch = [sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(config), "--num_processes", "2",
              "--mixed_precision", "no", "--main_process_port", str(free_port())]
    r = subprocess.run([*launch, *_train_args(single, 2), "--out", str(out)], env=_env(), cwd=REPO,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    result = json.loads((out / "result.json").read_text())
    assert result["distributed"] == EXPECTED_TYPE[kind]
    # one optimizer step per accumulation window (DeepSpeed used to step once per micro-batch: 8)
    assert result["steps"] == result["optimizer_steps"] == result["scheduler_steps"] == STEPS
    one = single / "one"
    assert _losses(out) == pytest.approx(_losses(one), abs=1e-5)
    assert result["tokens"] == json.loads((one / "result.json").read_text())["tokens"]

    from transformers import AutoModelForCausalLM

    reloaded = AutoModelForCausalLM.from_pretrained(out)
    reference = AutoModelForCausalLM.from_pretrained(one)
    n = sum(p.numel() for p in reference.parameters())
    assert sum(p.numel() for p in reloaded.parameters()) == n
    assert _card_parameters(out) == _card_parameters(one) == n  # ZeRO-3 used to write "parameters: 0"
    ref = reference.state_dict()
    for name, value in reloaded.state_dict().items():
        torch.testing.assert_close(value.float(), ref[name].float(), atol=1e-5, rtol=1e-4, msg=name)
