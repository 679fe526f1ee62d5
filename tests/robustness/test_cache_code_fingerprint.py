"""Stage keys carry the bytes of the code each stage depends on: a real edit in a copy of the package
recomputes that stage and only the stages after it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecomlib.config import REPO_ROOT

SHRINK = ["world.records_per_source=10", "world.pretrain_documents=30", "world.general_per_task=2",
          "data.max_per_task=4", "data.heldout_per_task=2", "tokenizer.vocab_size=300", "train.pretrain_steps=2",
          "train.batch_size=2", "train.max_length=64", "eval.n_per_task=1", "eval.max_new_tokens=2"]
# data -> tokenizer -> BLOOM-like base -> its evaluation
SCRIPT = """
import sys
from ecomlib.config import load_profile
from ecomlib.study import pipeline
p = load_profile(sys.argv[1], sys.argv[2:])
pipeline.evaluate(p, pipeline.base_model(p, "xs", "pretrain"))
"""


def _run(pkg_root: Path, work: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(pkg_root), ECOMLIB_WORK_DIR=str(work))
    subprocess.run([sys.executable, "-c", SCRIPT, str(REPO_ROOT / "configs" / "smoke.yaml"), *SHRINK],
                   check=True, env=env, capture_output=True, cwd=pkg_root)
    done = {}
    for d in sorted(p for p in work.iterdir() if not p.name.startswith(".")):
        done[d.name] = {k.name: (k / "DONE.json").stat().st_mtime_ns for k in d.iterdir() if (k / "DONE.json").is_file()}
    return done


def _append_comment(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# an edit that changes no behaviour\n", encoding="utf-8")


@pytest.mark.slow
def test_editing_a_stage_source_recomputes_it_and_only_later_stages(tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(REPO_ROOT / "ecomlib", pkg / "ecomlib", ignore=shutil.ignore_patterns("__pycache__"))
    work = tmp_path / "work"

    first = _run(pkg, work)
    assert set(first) == {"data", "tokenizer", "model-pretrain", "eval"} and all(len(v) == 1 for v in first.values())

    _append_comment(pkg / "ecomlib" / "evaluation" / "metrics.py")
    second = _run(pkg, work)
    for stage in ("data", "tokenizer", "model-pretrain"):
        assert second[stage] == first[stage], stage  # same key, DONE.json untouched
    assert len(second["eval"]) == 2  # a new eval key beside the old one

    _append_comment(pkg / "ecomlib" / "training" / "loop.py")
    third = _run(pkg, work)
    assert third["data"] == first["data"] and third["tokenizer"] == first["tokenizer"]
    assert len(third["model-pretrain"]) == 2 and len(third["eval"]) == 3

    done = json.loads((work / "eval" / next(iter(first["eval"])) / "DONE.json").read_text())
    assert len(done["code"]["sha256"]) == 64 and done["code"]["versions"]["torch"]
    assert "evaluation/metrics.py" in done["code"]["deps"] and any(d.startswith("study/pipeline.py") for d in done["code"]["deps"])
