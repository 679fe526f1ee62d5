"""Hash-keyed run directories: a stage whose inputs and parameters are unchanged is not recomputed.

Each stage's output lives in ``<work>/<stage>/<key>/`` where ``key`` hashes everything the stage
depends on. A directory is complete only when its ``DONE.json`` marker exists; it is built in a
temporary sibling and renamed into place, so an interrupted run never leaves a complete-looking
half-result, and starting again redoes only unfinished stages.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

from ecomlib.config import REPO_ROOT
from ecomlib.io import atomic_dir, atomic_write_json

DONE = "DONE.json"


def work_dir() -> Path:
    return Path(os.environ.get("ECOMLIB_WORK_DIR", REPO_ROOT / ".work" / "default"))


def results_dir(profile_name: str) -> Path:
    return Path(os.environ.get("ECOMLIB_RESULTS_DIR", REPO_ROOT / "results" / profile_name))


def key_of(params: Any) -> str:
    blob = json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def is_done(path: Path) -> bool:
    return (path / DONE).is_file()


def cached(stage: str, params: dict, build: Callable[[Path], Any]) -> Path:
    """Return ``<work>/<stage>/<key>``, running ``build(tmp_dir)`` first if it is not complete."""
    path = work_dir() / stage / key_of(params)
    if is_done(path):
        return path
    with atomic_dir(path) as tmp:
        build(tmp)
        atomic_write_json(tmp / DONE, {"stage": stage, "params": params})
    return path
