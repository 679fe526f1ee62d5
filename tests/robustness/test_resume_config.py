"""``ecomlib train --resume`` continues only the run it was started as: a different configuration is
refused in one line naming the differing keys (exit 2), and a fresh run into a finished folder first
invalidates the old result."""

import json
import random
from pathlib import Path

import pytest

from ecomlib.cli import main
from ecomlib.training import loop

WORDS = "phone case battery screen charger cable red blue cheap fast slow great bad delivery price".split()
SETS = ["train.pretrain_steps=4", "train.general_steps=4", "train.save_every=2", "train.batch_size=2",
        "train.max_length=48"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from ecomlib.schema import PROMPT_END
    from ecomlib.training import train_tokenizer

    d = tmp_path_factory.mktemp("resume-data")
    rng = random.Random(0)
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 20))) for _ in range(40)]
    (d / "text.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    rows = [{"prompt": f"Say it.\nInput: {t}\n{PROMPT_END}", "output": t.split()[0]} for t in texts]
    (d / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    train_tokenizer(texts, 300, 1).save_pretrained(d / "tok")
    return d


def _train(files: Path, out: Path, *extra: str, stage: str = "pretrain", data: str = "text.jsonl") -> int:
    argv = ["train", "--stage", stage, "--out", str(out), "--data", str(files / data),
            "--tokenizer", str(files / "tok"), "--no-progress"]
    for s in SETS:
        argv += ["--set", s]
    return main(argv + list(extra))


def _crash_after_first_checkpoint(monkeypatch):
    real = loop.save_checkpoint

    def save_then_die(*a, **k):
        real(*a, **k)
        raise KeyboardInterrupt  # killed right after step 2's checkpoint

    monkeypatch.setattr(loop, "save_checkpoint", save_then_die)


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


def test_resume_with_another_lr_is_refused(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    _crash_after_first_checkpoint(monkeypatch)
    assert _train(files, out) == 130
    monkeypatch.undo()
    capsys.readouterr()
    assert _train(files, out, "--set", "train.pretrain_lr=0.01", "--resume") == 2
    err = _one_error_line(capsys)
    assert "train.pretrain_lr" in err and "cannot resume" in err
    assert _train(files, out, "--resume") == 0  # the same configuration still resumes


def test_resume_as_another_stage_or_init_is_refused(files, tmp_path, capsys):
    pre = tmp_path / "pre"
    assert _train(files, pre) == 0
    capsys.readouterr()
    assert _train(files, pre, "--resume", "--init", str(pre), stage="general", data="rows.jsonl") == 2
    err = _one_error_line(capsys)
    assert "stage" in err and "init" in err
    assert json.loads((pre / "result.json").read_text())["stage"] == "pretrain"


def test_resume_with_another_size_is_refused_not_a_traceback(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    _crash_after_first_checkpoint(monkeypatch)
    assert _train(files, out, "--size", "xs") == 130
    monkeypatch.undo()
    capsys.readouterr()
    assert _train(files, out, "--size", "s", "--resume") == 2
    err = _one_error_line(capsys)
    assert "size" in err and "model.hidden_size" in err


def test_killed_retrain_into_a_finished_folder_is_not_reported_finished(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    assert _train(files, out) == 0
    old = json.loads((out / "result.json").read_text())
    (out / "notes.txt").write_text("mine")  # not ecomlib's: must survive

    def die(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(loop, "_save_final", die)
    assert _train(files, out, "--set", "train.pretrain_steps=3") == 130
    monkeypatch.undo()
    assert not (out / "result.json").exists()
    assert not (out / "model.safetensors").exists()  # the old run's weights are gone with its marker
    assert (out / "notes.txt").read_text() == "mine"
    assert _train(files, out, "--set", "train.pretrain_steps=3", "--resume") == 0
    new = json.loads((out / "result.json").read_text())
    assert new["steps"] == 3 and old["steps"] == 4
    assert len((out / "history.jsonl").read_text().splitlines()) == 3
    assert new["config"]["train"]["pretrain_steps"] == 3


def test_config_is_recorded_in_checkpoints_and_output(files, tmp_path, monkeypatch):
    from ecomlib.training.checkpoint import RUN_CONFIG, list_checkpoints, verify_checkpoint

    out = tmp_path / "run"
    _crash_after_first_checkpoint(monkeypatch)
    assert _train(files, out) == 130
    (ckpt,) = list_checkpoints(out / "checkpoints")
    recorded = json.loads((out / RUN_CONFIG).read_text())
    assert verify_checkpoint(ckpt)["config"] == recorded
    assert recorded["stage"] == "pretrain" and recorded["size"] == "xs" and recorded["train"]["pretrain_lr"]
    assert {"model", "init", "tokenizer", "data"} <= set(recorded)
