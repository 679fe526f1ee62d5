"""bench/train_throughput.py stays runnable: a few steps of every arm on the smoke model (no timings checked)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "train_throughput.py"
HAS_TRL = importlib.util.find_spec("trl") is not None


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--profile", "smoke", *args], capture_output=True, text=True,
                          timeout=600, env=env)


@pytest.mark.slow
@pytest.mark.skipif(not HAS_TRL, reason="trl (dev extra) not installed")
def test_dry_run_with_trl_reports_every_arm_and_the_ratio_last():
    r = run("--steps", "3", "--rows", "48", "--heldout", "8")
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.strip().splitlines()
    assert any(line.startswith("TRL SFT (packed)") and "trained tok/s" not in line for line in lines)  # table row
    assert "instances/step" in next(line for line in lines if line.startswith("TRL "))
    assert lines[-2].startswith("ratio ours (packed)/TRL trained tok/s: ")
    float(lines[-2].rsplit(":", 1)[1])
    assert lines[-1].startswith("equal-loss speed-up ours (packed) vs TRL SFTTrainer")


@pytest.mark.slow
def test_without_trl_the_bench_says_so_and_runs_the_other_arms(tmp_path):
    fake = tmp_path / "trl"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('no trl here')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    r = run("--steps", "2", "--rows", "32", "--heldout", "8", env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "trl not installed" in r.stdout and "TRL SFT (packed)" not in r.stdout and "/TRL" not in r.stdout
    assert r.stdout.strip().splitlines()[-1].startswith("equal-loss speed-up ours (packed) vs HF Trainer: ")


def test_trl_batch_size_must_divide_the_packed_rows_per_step():
    r = run("--trl-batch-size", "3", "--steps", "2")  # smoke: 8 packed rows x grad_accum 1 per step
    assert r.returncode != 0 and "--trl-batch-size 3: expected a divisor of the packed rows per step (8" in r.stderr
