"""Two runs at once compute a stage once (a lock per stage key); a destination that appears during
the atomic rename does not crash it."""

import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from ecomlib import io as ecomio
from ecomlib.config import REPO_ROOT

# A fake stage: sleeps long enough that the second process arrives while the first builds.
STAGE = """
import sys, time
from pathlib import Path
from ecomlib.study import runs

def build(tmp):
    with open(sys.argv[1], "a") as fh:
        fh.write("built\\n")
    time.sleep(1.5)
    (tmp / "out.txt").write_text("result")

print(runs.cached("fake", {"p": 1}, build))
"""


def test_two_processes_compute_a_stage_once(tmp_path):
    counter = tmp_path / "builds.txt"
    env = dict(os.environ, ECOMLIB_WORK_DIR=str(tmp_path / "work"), PYTHONPATH=str(REPO_ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", STAGE, str(counter)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert outs[0][0] == outs[1][0]
    assert counter.read_text() == "built\n"
    assert (Path(outs[0][0].strip()) / "out.txt").read_text() == "result"


def test_atomic_dir_survives_a_destination_appearing_before_the_rename(tmp_path, monkeypatch):
    dest = tmp_path / "stage" / "key"
    real_exists = Path.exists
    with ecomio.atomic_dir(dest) as tmp:
        (tmp / "mine.txt").write_text("mine")
        dest.mkdir(parents=True)
        (dest / "theirs.txt").write_text("theirs")  # another process finished meanwhile
        # ... after any "does it exist?" check this process made
        monkeypatch.setattr(Path, "exists", lambda self: False if self == dest else real_exists(self))
    monkeypatch.undo()
    assert sorted(p.name for p in dest.iterdir()) == ["mine.txt"]
    assert [p.name for p in dest.parent.iterdir()] == ["key"]


def test_filelock_is_pinned_identically_everywhere():
    deps = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = [r for r in deps if re.match(r"filelock==", r)]
    assert pins == [f"filelock=={metadata.version('filelock')}"]
    assert [r for r in pip if r.startswith("filelock==")] == pins


# Two real smoke pipelines (build, tokenizer, BLOOM-like, BLOOMZ-like, EcomGPT, evaluation) on one cache.
PIPELINE = """
import sys
from ecomlib.config import load_profile
from ecomlib.study import pipeline, runs

real = runs.cached

def counted(stage, params, build, **kw):
    def logged(tmp):
        with open(sys.argv[1], "a") as fh:
            fh.write(stage + "\\n")
        return build(tmp)
    return real(stage, params, logged, **kw)

pipeline.cached = counted
p = load_profile("smoke", ["train.max_steps=4", "train.pretrain_steps=4", "train.general_steps=2", "eval.n_per_task=2"])
model = pipeline.finetune(p, "xs")
print(pipeline.evaluate(p, model)["summary"]["ref"]["UD_rougeL"])
"""


@pytest.mark.slow
def test_two_smoke_pipelines_sharing_a_cache_compute_each_stage_once(tmp_path):
    log = tmp_path / "computed.txt"
    env = dict(os.environ, ECOMLIB_WORK_DIR=str(tmp_path / "work"), PYTHONPATH=str(REPO_ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", PIPELINE, str(log)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    assert outs[0][0] == outs[1][0]  # the same scores
    computed = log.read_text().split()
    assert sorted(computed) == sorted(set(computed)), computed  # no stage computed twice
    assert {"data", "tokenizer", "model-pretrain", "model-general", "model-ecomgpt", "eval"} <= set(computed)
