"""Checkpoints with exact resume: model, optimizer, scheduler, RNG states (``Accelerator.save_state``,
which also handles DDP/FSDP/DeepSpeed sharding) plus our ``state.json`` (step, history, token counts).

A checkpoint is built in a hidden temporary folder and renamed into place only after its
``manifest.json`` (sha256 of every file) is written, so a folder named ``step-N`` is complete. On load
every hash is checked; a damaged or partial checkpoint raises ``DataError`` naming the file, and is
never used silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from ecomlib.errors import DataError
from ecomlib.io import atomic_write_json, sha256_file

MANIFEST = "manifest.json"
STATE = "state.json"
_NAME = re.compile(r"^step-(\d+)$")


def list_checkpoints(root: Path) -> list[Path]:
    """Complete-looking checkpoint folders, oldest first (temporary ``.step-N.tmp`` folders excluded)."""
    if not root.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in root.iterdir() if p.is_dir() and (m := _NAME.match(p.name))]
    return [p for _, p in sorted(found)]


def save_checkpoint(accelerator, root: Path, step: int, state: dict, keep: int = 1) -> Path:
    """Every process calls this (sharded states); the main process seals and renames."""
    final = root / f"step-{step:06d}"
    tmp = root / f".step-{step:06d}.tmp"
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    accelerator.wait_for_everyone()
    accelerator.save_state(str(tmp), safe_serialization=True)
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        atomic_write_json(tmp / STATE, state)
        files = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
        manifest = {"step": step, "files": {f: sha256_file(tmp / f) for f in files}}
        atomic_write_json(tmp / MANIFEST, manifest)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        for old in list_checkpoints(root)[:-keep]:
            shutil.rmtree(old, ignore_errors=True)
    accelerator.wait_for_everyone()
    return final


def verify_checkpoint(path: Path) -> dict:
    """Check the manifest and every hash; return ``state.json``. Raises DataError naming the bad file."""
    mpath = path / MANIFEST
    if not mpath.is_file():
        raise DataError(f"{mpath}: missing; checkpoint {path} is partial (delete it to resume from an earlier one)")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        files = manifest["files"]
    except (ValueError, KeyError, TypeError):
        raise DataError(f"{mpath}: not a valid checkpoint manifest (expected JSON with a 'files' mapping)") from None
    if STATE not in files:
        raise DataError(f"{mpath}: lists no {STATE}; checkpoint {path} is partial")
    for name, digest in sorted(files.items()):
        f = path / name
        if not f.is_file():
            raise DataError(f"{f}: missing from checkpoint {path} (listed in {MANIFEST})")
        if sha256_file(f) != digest:
            raise DataError(f"{f}: sha256 does not match {MANIFEST}; checkpoint {path} is corrupted")
    return json.loads((path / STATE).read_text(encoding="utf-8"))


def load_checkpoint(accelerator, path: Path) -> dict:
    state = verify_checkpoint(path)
    accelerator.load_state(str(path))
    return state


# ------------------------------------------------------------------------------------------------
# The run's configuration: recorded with every checkpoint and in the output folder, compared on resume.

RUN_CONFIG = "run_config.json"
# Train fields that do not change what is trained (how often to log or checkpoint).
_NOT_CONFIG = ("log_every", "save_every")


def _digest(chunks) -> str:
    h = hashlib.sha256()
    for c in chunks:
        h.update(c.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()[:16]


def init_identity(init_from) -> str:
    """The starting model: its folder plus a hash of what identifies its weights there (a retrain changes it)."""
    if init_from is None:
        return "random init"
    path = Path(init_from)
    if not path.is_dir():
        return str(init_from)  # a hub id
    marker = next((path / n for n in ("result.json", "model.safetensors", "config.json") if (path / n).is_file()), None)
    return f"{path.resolve()}@{sha256_file(marker)[:16] if marker else 'empty'}"


def run_config(profile, stage: str, size_name: str, init_from, tokenizer, data, model_given: bool) -> dict:
    """Everything that decides what a run trains: resuming under any other value would mix two runs."""
    import dataclasses

    train = {k: v for k, v in dataclasses.asdict(profile.train).items() if k not in _NOT_CONFIG}
    vocab = sorted(tokenizer.get_vocab().items())
    return {
        "stage": stage,
        "size": size_name,
        "model": dataclasses.asdict(profile.size(size_name)),
        "train": train,
        "init": "model object passed in" if model_given else init_identity(init_from),
        "tokenizer": _digest(f"{t}\t{i}" for t, i in vocab),
        "data": _digest(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in data),
    }


def config_diff(recorded: dict, wanted: dict, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ (``train.lr``, ``size``), sorted."""
    out = []
    for k in sorted(set(recorded) | set(wanted)):
        a, b = recorded.get(k), wanted.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            out += config_diff(a, b, f"{prefix}{k}.")
        elif a != b:
            out.append(f"{prefix}{k}")
    return out


def read_run_config(out_dir: Path) -> dict | None:
    path = Path(out_dir) / RUN_CONFIG
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise DataError(f"{path}: not valid JSON (the run's recorded configuration)") from None
