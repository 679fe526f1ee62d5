"""The cached study pipeline on the smoke profile: stages run once, results are deterministic,
an interrupted stage leaves nothing that looks complete."""

import json
import subprocess
import sys

import pytest

from ecomlib.config import REPO_ROOT, load_profile
from ecomlib.study import runs


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path / "work"))
    return tmp_path / "work"


def test_cached_runs_once_and_interrupted_stage_is_not_complete(work):
    calls = []

    def build(tmp):
        calls.append(tmp)
        (tmp / "x.txt").write_text("ok")

    a = runs.cached("stage", {"p": 1}, build)
    b = runs.cached("stage", {"p": 1}, build)
    assert a == b and len(calls) == 1 and runs.is_done(a)
    assert runs.cached("stage", {"p": 2}, build) != a and len(calls) == 2

    def crash(tmp):
        (tmp / "half.txt").write_text("half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        runs.cached("stage", {"p": 3}, crash)
    assert not (work / "stage" / runs.key_of({"p": 3})).exists()
    assert not [p for p in (work / "stage").iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_smoke_pipeline_end_to_end_is_cached_and_deterministic(work):
    from ecomlib.study import pipeline
    from ecomlib.evaluation.summary import summarize

    p = load_profile("smoke")
    size = p.model.default_size
    model_dir = pipeline.finetune(p, size)
    scores = pipeline.evaluate(p, model_dir)
    row = summarize(scores)
    assert row["UD_n_tasks"] == 9
    for k, v in row.items():
        if k != "UD_n_tasks" and v is not None:
            assert 0.0 <= v <= 100.0, k
    # second call: same directories, nothing retrained
    stamp = (model_dir / runs.DONE).stat().st_mtime_ns
    assert pipeline.finetune(p, size) == model_dir
    assert (model_dir / runs.DONE).stat().st_mtime_ns == stamp
    assert pipeline.evaluate(p, model_dir) == scores
    # the EcomGPT run started from the BLOOMZ-like base of the same size
    assert json.loads((model_dir / runs.DONE).read_text())["params"]["init"] == pipeline.base_model(p, size, "general").name


def test_run_all_help_and_bad_options():
    script = str(REPO_ROOT / "run_all.sh")
    out = subprocess.run(["bash", script, "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "--profile" in out.stdout and "--only" in out.stdout
    bad = subprocess.run(["bash", script, "--profile", "huge"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--profile must be" in bad.stderr
    unknown = subprocess.run(["bash", script, "--frobnicate"], capture_output=True, text=True)
    assert unknown.returncode == 2 and "unknown option" in unknown.stderr


def test_study_cli_rejects_unknown_experiment():
    out = subprocess.run([sys.executable, "-m", "ecomlib", "study", "--experiment", "nope"], capture_output=True, text=True)
    assert out.returncode == 2 and "invalid choice" in out.stderr


@pytest.mark.slow
def test_prompt_variants_share_tokenizer_and_backbone(work):
    from ecomlib.config import apply_overrides
    from ecomlib.study import pipeline

    p = load_profile("smoke")
    q = apply_overrides(p, {"data.template": "narrow", "data.prompt_lang": "zh"})
    assert pipeline.build_data(p) != pipeline.build_data(q)  # the training prompts differ ...
    assert pipeline.tokenizer(p) == pipeline.tokenizer(q)  # ... but not the backbone they tune
