"""Exact resume after a real SIGKILL, and refusal of damaged checkpoints."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ecomlib.errors import DataError
from ecomlib.training import train_stage
from ecomlib.training.checkpoint import list_checkpoints, verify_checkpoint


REPO = Path(__file__).resolve().parents[2]
SETS = ["train.max_steps=60", "train.epochs=40", "train.save_every=10", "train.batch_size=4"]


def _cmd(out: Path, data: Path, tok: Path, resume: bool = False) -> list[str]:
    cmd = [sys.executable, "-m", "ecomlib.cli", "train", "--stage", "ecominstruct", "--out", str(out),
           "--data", str(data), "--tokenizer", str(tok), "--no-progress"]
    for s in SETS:
        cmd += ["--set", s]
    return cmd + (["--resume"] if resume else [])


def _losses(out: Path) -> list[float]:
    return [json.loads(l)["loss"] for l in (out / "history.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_sigkill_then_resume_matches_uninterrupted(tmp_path, rows, tok):
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tok.save_pretrained(tmp_path / "tok")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    full = tmp_path / "full"
    subprocess.run(_cmd(full, data, tmp_path / "tok"), check=True, env=env, capture_output=True, cwd=REPO)

    cut = tmp_path / "cut"
    proc = subprocess.Popen(_cmd(cut, data, tmp_path / "tok"), env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hist = cut / "history.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline:  # kill a few steps after the first checkpoint
        if hist.is_file() and len(hist.read_text().splitlines()) >= 14:
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    assert not (cut / "result.json").exists()  # really interrupted
    killed_at = len(_losses(cut))
    assert 10 < killed_at < 60
    ckpts = list_checkpoints(cut / "checkpoints")
    assert ckpts and verify_checkpoint(ckpts[-1])["step"] in (10, 20, 30, 40, 50)

    subprocess.run(_cmd(cut, data, tmp_path / "tok", resume=True), check=True, env=env, capture_output=True, cwd=REPO)
    assert _losses(cut) == _losses(full)  # exactly equal on CPU, every step
    assert len(_losses(full)) == 60




def test_damaged_checkpoint_is_refused(tmp_path, smoke, rows, tok, monkeypatch):
    from ecomlib.config import apply_overrides
    from ecomlib.training import loop

    p = apply_overrides(smoke, ["train.max_steps=4", "train.save_every=2"])
    out = tmp_path / "run"

    def crash(*a, **k):
        raise RuntimeError("simulated crash before the final save")

    monkeypatch.setattr(loop, "_save_final", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        train_stage(p, "ecominstruct", out, tokenizer=tok, examples=rows, progress=False)
    monkeypatch.undo()
    (ckpt,) = list_checkpoints(out / "checkpoints")
    assert verify_checkpoint(ckpt)["step"] == 2

    weights = sorted(f for f in ckpt.rglob("*.safetensors"))[0]
    raw = bytearray(weights.read_bytes())
    raw[-1] ^= 0xFF
    weights.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=f"{weights.name}.*sha256"):
        train_stage(p, "ecominstruct", out, tokenizer=tok, examples=rows, resume=True, progress=False)

    (ckpt / "manifest.json").unlink()
    with pytest.raises(DataError, match="manifest.json: missing.*partial"):
        train_stage(p, "ecominstruct", out, tokenizer=tok, examples=rows, resume=True, progress=False)

    # A half-written checkpoint (hidden temporary folder) is never picked up.
    (out / "checkpoints" / ".step-000004.tmp").mkdir()
    assert [c.name for c in list_checkpoints(out / "checkpoints")] == ["step-000002"]
