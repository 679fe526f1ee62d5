"""Defects C and D: every model / tokenizer loading failure (--init, --model) is one clear line, and a hub
id with no network (HF_HUB_OFFLINE, or the hub unreachable) fails at once with what to do. No test
contacts a hub: HF_HUB_OFFLINE is set, or the socket and from_pretrained are monkeypatched."""

from __future__ import annotations

import json
import shutil
import socket

import pytest

from tests.robustness.cli_helpers import BUILD, EVAL_FAST, one_error_line, run_cli, save_tiny_lm


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return save_tiny_lm(tmp_path_factory.mktemp("tiny") / "model")


def _copy(model, dest, drop=()):
    shutil.copytree(model, dest, ignore=shutil.ignore_patterns(*drop))
    return dest


def _evaluate(capsys, model, out, *extra):
    return run_cli(capsys, "evaluate", "--model", model, "--suite", "synthetic", "--data-dir", BUILD, "--out", out,
                   *EVAL_FAST, *extra)


def _train_init(capsys, init, tmp_path):
    data = tmp_path / "general.jsonl"
    data.write_text(json.dumps({"prompt": "say same ### Response:", "output": "same"}) + "\n")
    return run_cli(capsys, "train", "--stage", "general", "--init", init, "--data", data, "--out", tmp_path / "trained",
                   "--no-progress", "--set", "train.max_steps=1")


def _garbage(model):
    (model / "model.safetensors").write_bytes(b"\x00garbage, not a safetensors file" * 4)


def _truncated(model):
    weights = model / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])


@pytest.mark.parametrize("damage", [_garbage, _truncated], ids=["garbage", "truncated"])
def test_bad_weights_file_is_one_line(tiny_model, tmp_path, capsys, damage):
    broken = _copy(tiny_model, tmp_path / "broken")
    damage(broken)
    rc, _, err = _evaluate(capsys, broken, tmp_path / "ev")
    one_error_line(rc, err, f"--model {broken}", "model.safetensors")
    assert not (tmp_path / "ev").exists()
    rc, _, err = _train_init(capsys, broken, tmp_path)
    one_error_line(rc, err, str(broken), "model.safetensors")
    assert not (tmp_path / "trained").exists()


def test_missing_folder_says_no_such_folder(tmp_path, capsys):
    rc, _, err = _evaluate(capsys, "/nonexistent/model", tmp_path / "ev")
    line = one_error_line(rc, err, "--model /nonexistent/model: no such folder")
    assert "Repo id" not in line
    rc, _, err = _train_init(capsys, "/nonexistent", tmp_path)
    one_error_line(rc, err, "--init /nonexistent: no such folder")


def test_model_that_is_a_file(tmp_path, capsys):
    f = tmp_path / "model.bin"
    f.write_bytes(b"x")
    rc, _, err = _evaluate(capsys, f, tmp_path / "ev")
    one_error_line(rc, err, f"--model {f}: is a file")


def test_folder_without_tokenizer(tiny_model, tmp_path, capsys):
    no_tok = _copy(tiny_model, tmp_path / "no_tok", drop=("tokenizer*", "special_tokens_map.json"))
    rc, _, err = _evaluate(capsys, no_tok, tmp_path / "ev")
    line = one_error_line(rc, err, str(no_tok), "no tokenizer files")
    assert "sentencepiece" not in line.lower()
    rc, _, err = _train_init(capsys, no_tok, tmp_path)
    one_error_line(rc, err, str(no_tok), "no tokenizer files")


def test_intact_model_still_loads(tiny_model, tmp_path, capsys):
    rc, _, err = _evaluate(capsys, tiny_model, tmp_path / "ev")
    assert rc == 0, err


def test_hub_id_with_hf_hub_offline(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    rc, _, err = _evaluate(capsys, "no-such-org/no-such-model", tmp_path / "ev", "--allow-download")
    one_error_line(rc, err, "no-such-org/no-such-model", "HF_HUB_OFFLINE is set", "local model folder")
    rc, _, err = _evaluate(capsys, "no-such-org/no-such-model", tmp_path / "ev")
    one_error_line(rc, err, "not in the local hub cache", "--allow-download")
    rc, _, err = _train_init(capsys, "no-such-org/no-such-model", tmp_path)
    one_error_line(rc, err, "--init no-such-org/no-such-model", "HF_HUB_OFFLINE is set")


def test_hub_id_without_network_fails_at_once(tmp_path, capsys, monkeypatch):
    """No HF_HUB_OFFLINE, but the hub host cannot be reached: one quick connect test, no from_pretrained
    (which would retry for about a minute)."""
    import transformers

    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    tried = []

    def no_network(address, timeout=None, *a, **k):
        tried.append((address, timeout))
        raise OSError(101, "Network is unreachable")

    def must_not_load(*a, **k):
        raise AssertionError("from_pretrained was called: it would contact the hub")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", must_not_load)
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", must_not_load)
    rc, _, err = _evaluate(capsys, "no-such-org/no-such-model", tmp_path / "ev", "--allow-download")
    one_error_line(rc, err, "huggingface.co cannot be reached", "local model folder")
    assert tried and all(t is not None and t <= 5 for _, t in tried)
