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
from ecomlib.io import atomic_write_json

MANIFEST = "manifest.json"
STATE = "state.json"
_NAME = re.compile(r"^step-(\d+)$")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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
