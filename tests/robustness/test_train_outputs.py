"""Issue #23: `ecomlib train` deletes and replaces only its own known model files, refuses a symlinked
checkpoints/, never unpickles a checkpoint on --resume, reports a full disk in one line naming the user's
folder, and prints no progress bar under --no-progress."""

from __future__ import annotations

import errno
import hashlib
import json
import pickle
from pathlib import Path

import pytest

from ecomlib.training.checkpoint import list_checkpoints
from tests.robustness.cli_helpers import files_of, one_error_line
from tests.robustness.test_resume_config import _crash_after_first_checkpoint, _train, files  # noqa: F401 (fixture)


def _err(capsys) -> str:
    return capsys.readouterr().err


def test_tampered_result_cannot_make_a_rerun_delete_a_user_file(files, tmp_path, capsys):  # noqa: F811
    out = tmp_path / "run"
    assert _train(files, out) == 0
    (out / "data.csv").write_text("mine")
    result = json.loads((out / "result.json").read_text())
    result["files"] += ["data.csv", ".ecomlib-output.json"]
    (out / "result.json").write_text(json.dumps(result))
    assert _train(files, out) == 0, _err(capsys)
    assert (out / "data.csv").read_text() == "mine"
    assert (out / "model.safetensors").is_file() and (out / "result.json").is_file()


def test_overwrite_never_replaces_a_users_readme_or_config(files, tmp_path, capsys):  # noqa: F811
    user = tmp_path / "mine"
    user.mkdir()
    (user / "README.md").write_text("my notes\n")
    (user / "config.json").write_text('{"mine": true}\n')
    (user / "data.csv").write_text("a,b\n")
    before = files_of(user)
    capsys.readouterr()
    rc = _train(files, user, "--overwrite")
    one_error_line(rc, _err(capsys), str(user / "README.md"), "not written by ecomlib", "move it away")
    after = files_of(user)
    after.pop(".ecomlib-output.json", None)  # the claim of the folder (the verb's marker) is all it wrote
    assert after == before


def test_help_says_what_train_replaces(capsys):
    from ecomlib.cli import main

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "README.md" in text and "refused" in text


def test_symlinked_checkpoints_folder_is_refused(files, tmp_path, capsys):  # noqa: F811
    out = tmp_path / "run"
    assert _train(files, out) == 0
    other = tmp_path / "other-run" / "checkpoints"
    (other / "step-000001").mkdir(parents=True)
    (other / "step-000001" / "state.json").write_text("{}")
    (out / "checkpoints").symlink_to(other, target_is_directory=True)
    before = files_of(other)
    for extra in ((), ("--resume",)):
        capsys.readouterr()
        rc = _train(files, out, "--set", "train.pretrain_steps=5", *extra)
        one_error_line(rc, _err(capsys), str(out / "checkpoints"), "symbolic link")
        assert files_of(other) == before


class _Marker:
    """A pickle that creates a file when it is loaded."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_resume_never_unpickles_a_crafted_checkpoint(files, tmp_path, monkeypatch, capsys):  # noqa: F811
    out = tmp_path / "run"
    _crash_after_first_checkpoint(monkeypatch)
    assert _train(files, out) == 130
    monkeypatch.undo()
    (ckpt,) = list_checkpoints(out / "checkpoints")
    names = sorted(p.name for p in ckpt.iterdir())
    marker = tmp_path / "code-ran"
    crafted = ckpt / "custom_checkpoint_0.pkl"
    crafted.write_bytes(pickle.dumps(_Marker(marker)))
    manifest = json.loads((ckpt / "manifest.json").read_text())
    manifest["files"][crafted.name] = hashlib.sha256(crafted.read_bytes()).hexdigest()
    (ckpt / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    try:
        rc = _train(files, out, "--resume")
    finally:
        assert not marker.exists(), "the crafted pickle ran"
    one_error_line(rc, _err(capsys), str(crafted), "never a pickle")
    # what a checkpoint holds can be read without running code
    assert all(n.endswith((".json", ".safetensors")) for n in names), names


def _full_disk_safetensors(*a, **k):
    from safetensors import SafetensorError

    raise SafetensorError('Error while serializing: IoError(Os { code: 28, kind: StorageFull, '
                          'message: "No space left on device" })')


def test_full_disk_at_the_final_save_is_one_line(files, tmp_path, monkeypatch, capsys):  # noqa: F811
    import transformers.modeling_utils as modeling_utils

    monkeypatch.setattr(modeling_utils, "safe_save_file", _full_disk_safetensors)
    out = tmp_path / "run"
    capsys.readouterr()
    rc = _train(files, out)
    line = one_error_line(rc, _err(capsys), str(out), "No space left on device", "ENOSPC")
    assert ".tmp" not in line
    assert not (out / "result.json").exists() and not (out / ".final.tmp").exists()


def test_full_disk_at_a_checkpoint_is_one_line(files, tmp_path, monkeypatch, capsys):  # noqa: F811
    import accelerate.utils.other
    import safetensors.torch

    monkeypatch.setattr(safetensors.torch, "save_file", _full_disk_safetensors)
    monkeypatch.setattr(accelerate.utils.other, "safe_save_file", _full_disk_safetensors)
    out = tmp_path / "run"
    capsys.readouterr()
    rc = _train(files, out)
    line = one_error_line(rc, _err(capsys), str(out / "checkpoints"), "No space left on device")
    assert ".tmp" not in line


def test_full_disk_at_the_best_weights_snapshot_is_one_line(files, tmp_path, monkeypatch, capsys):  # noqa: F811
    """The convergence rule's snapshot of the best held-aside weights fails like a checkpoint: one line."""
    import safetensors.torch

    monkeypatch.setattr(safetensors.torch, "save_file", _full_disk_safetensors)
    out = tmp_path / "run"
    capsys.readouterr()
    rc = _train(files, out, "--set", "train.heldaside_fraction=0.2", "--set", "train.save_every=0")
    line = one_error_line(rc, _err(capsys), str(out / "checkpoints"), "No space left on device")
    assert ".tmp" not in line and not list((out / "checkpoints").glob(".*.tmp"))


def test_torch_write_failure_maps_to_a_file_system_error(tmp_path):
    """torch.save's own report of a full disk (``unexpected pos``) becomes an OSError naming the folder."""
    from ecomlib.training.checkpoint import disk_errors

    with pytest.raises(OSError) as info:
        with disk_errors(tmp_path):
            raise RuntimeError("[enforce fail at inline_container.cc:664] . unexpected pos 4544 vs 4436")
    assert info.value.filename == str(tmp_path) and info.value.errno == errno.EIO
    with pytest.raises(RuntimeError, match="unrelated"):
        with disk_errors(tmp_path):
            raise RuntimeError("unrelated")


def test_no_progress_silences_the_model_shard_bar(files, tmp_path, capsys):  # noqa: F811
    from transformers.utils import logging as hf_logging

    hf_logging.enable_progress_bar()
    out = tmp_path / "run"
    capsys.readouterr()
    assert _train(files, out) == 0  # _train passes --no-progress
    assert "Writing model shards" not in _err(capsys)
    assert hf_logging.is_progress_bar_enabled()  # restored for the rest of the process


def test_sharded_runs_write_no_pickled_checkpoint_and_cannot_resume(tmp_path, capsys):
    """DeepSpeed/FSDP state is sharded in those engines' pickles: no checkpoint (one warning), no resume."""
    from types import SimpleNamespace

    from accelerate.utils import DistributedType

    from ecomlib.errors import ConfigError
    from ecomlib.training.checkpoint import load_checkpoint, save_checkpoint

    fake = SimpleNamespace(distributed_type=DistributedType.DEEPSPEED, is_main_process=True)
    for _ in range(2):
        assert save_checkpoint(fake, tmp_path / "checkpoints", 2, {}) is None
    assert capsys.readouterr().err.count("warning: no checkpoints under") == 1
    assert not (tmp_path / "checkpoints").exists()
    with pytest.raises(ConfigError, match="cannot resume under"):
        load_checkpoint(fake, tmp_path / "checkpoints" / "step-000002")
