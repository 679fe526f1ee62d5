"""Evaluation placement: bf16 on the GPU (CUDA-gated), fp32 on CPU (an fp16 checkpoint too), and a suite
shared across processes when launched with several (answers equal one process's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ecomlib.config import ModelSize
from ecomlib.evaluation.generation import generate, place_for_inference
from ecomlib.training import build_model
from tests.training.conftest import free_port, make_rows

REPO = Path(__file__).resolve().parents[2]
PROMPTS = [r["prompt"] for r in make_rows(9, seed=4)]


def _tiny(tok):
    return build_model(ModelSize("t", 32, 1, 2), tok, seed=3)


def test_cpu_evaluation_is_fp32_even_from_an_fp16_model(tok):
    model = place_for_inference(_tiny(tok).half())
    p = next(model.parameters())
    assert (p.device.type, p.dtype) == ("cpu", torch.float32)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_gpu_evaluation_runs_on_the_device_in_bf16(tok):
    model = place_for_inference(_tiny(tok))
    p = next(model.parameters())
    assert (p.device.type, p.dtype) == ("cuda", torch.bfloat16)
    answers = generate(model, tok, PROMPTS, batch_size=4, max_new_tokens=6)
    assert len(answers) == len(PROMPTS) and all(isinstance(a, str) for a in answers)


SHARD_SCRIPT = """
import json, sys
from ecomlib.config import ModelSize
from ecomlib.evaluation.generation import generate, place_for_inference
from ecomlib.training import build_model, load_tokenizer
tok = load_tokenizer(sys.argv[1])
model = place_for_inference(build_model(ModelSize("t", 32, 1, 2), tok, seed=3))
rows = []
_generate = model.generate
def counting(**kw):
    rows.append(kw["input_ids"].shape[0])
    return _generate(**kw)
model.generate = counting
answers = generate(model, tok, json.loads(sys.argv[2]), batch_size=2, max_new_tokens=6, groups=None)
import os
open(sys.argv[3] + os.environ["RANK"], "w").write(json.dumps({"answers": answers, "rows": sum(rows)}))
# the exit hooks tear the process group down while the interpreter is alive (gloo aborts otherwise)
import atexit, torch.distributed as dist
atexit._run_exitfuncs()
assert not dist.is_initialized(), "the process group outlived the exit hooks"
"""


@pytest.mark.slow
def test_two_processes_share_the_suite_and_answer_as_one(tmp_path, tok):
    tok.save_pretrained(tmp_path / "tok")
    script = tmp_path / "shard.py"
    script.write_text(SHARD_SCRIPT)
    one = generate(place_for_inference(_tiny(tok)), tok, PROMPTS, batch_size=2, max_new_tokens=6)
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    launch = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
              "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(free_port())]
    r = subprocess.run([*launch, str(script), str(tmp_path / "tok"), json.dumps(PROMPTS), str(tmp_path / "out.json")],
                       env=env, cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"out.json{r}").read_text()) for r in (0, 1)]
    assert ranks[0]["answers"] == ranks[1]["answers"] == one
    assert [r["rows"] for r in ranks] == [5, 4]  # each process answered its share of the 9 prompts
