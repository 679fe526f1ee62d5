"""bench/gpu_mfu.py stays runnable: a CPU dry run here; the real measurement only where CUDA is."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "gpu_mfu.py"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600)


def test_cpu_dry_run_trains_and_reports():
    r = run("--cpu-dry-run")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "steps 4 (means over the last 3)" in r.stdout
    assert ("MFU: n/a" in r.stdout) != torch.cuda.is_available()


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA message")
def test_without_cuda_says_so():
    r = run("--steps", "1")
    assert r.returncode == 2 and "needs a CUDA device" in r.stderr


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_gpu_reports_mfu():
    r = run("--size", "25m", "--steps", "12", "--warmup", "4", "--rows", "3000", "--set", "world.records_per_source=300")
    assert r.returncode == 0, r.stderr[-2000:]
    mfu = float(r.stdout.strip().splitlines()[-1].rsplit(":", 1)[1])
    assert 0.0 < mfu < 1.0
