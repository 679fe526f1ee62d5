"""bench/step_rate.py stays runnable: every ladder size of the smoke profile trains a few steps and gets a rate
and a ratio to the default size (no timings checked)."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "step_rate.py"


def test_every_size_gets_a_rate_and_a_ratio(tmp_path):
    env = {**os.environ, "ECOMLIB_WORK_DIR": str(tmp_path / "work")}
    r = subprocess.run([sys.executable, str(SCRIPT), "--profile", "smoke", "--steps", "3"], capture_output=True,
                       text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.strip().splitlines()
    rates = [line for line in lines if line.startswith("size ")]
    assert [line.split()[1] for line in rates] == ["xs", "s"] and all("3 steps in" in line for line in rates)
    assert lines[-2:] == [line for line in lines if line.startswith("ratio ")][-2:]
    assert lines[-2].startswith("ratio xs/xs steps/s: 1.00")
