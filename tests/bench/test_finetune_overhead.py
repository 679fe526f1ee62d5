"""bench/finetune_overhead.py stays runnable: on the smoke profile it computes one fine-tune stage (bases
trained into a fresh work dir first), splits its wall time into the loop and the rest, and profiles it (no
timings checked). A second run with the same seed finds the stage cached and says so."""

import os
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "finetune_overhead.py"


def _run(env):
    r = subprocess.run([sys.executable, str(SCRIPT), "--profile", "smoke", "--max-steps", "3", "--top", "5"],
                       capture_output=True, text=True, timeout=900, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def test_the_stage_is_split_into_loop_and_rest_and_profiled(tmp_path):
    env = {**os.environ, "ECOMLIB_WORK_DIR": str(tmp_path / "work")}
    out = _run(env)
    m = re.search(r"stage wall ([\d.]+) s, training loop ([\d.]+) s \((\d+) steps\), outside the loop ([-\d.]+) s", out)
    assert m, out[-2000:]
    wall, loop, steps, rest = float(m[1]), float(m[2]), int(m[3]), float(m[4])
    assert 0 < loop < wall and steps <= 3 and abs(wall - loop - rest) < 0.02
    assert "cumulative" in out and "finetune" in out  # the profile of the stage's own call
    assert "came from the cache" not in out
    again = _run(env)
    assert "came from the cache" in again
