"""Which files of a ``train`` output folder are ecomlib's, so a rerun replaces or deletes only those.

A trained model folder holds a fixed set of names (``MODEL_FILES``, plus weight shards). A name counts as
ecomlib's own when a run recorded it: in the folder's output marker (``.ecomlib-output.json``, written
before the files are moved in) or in an older run's ``result.json`` ``files``, and only if it is one of
those known names, so a tampered or foreign list can never make a run delete any other file. A file with
a known name that no run recorded (a user's own ``README.md`` or ``config.json``) is never replaced: the
run is refused before it trains.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ecomlib.errors import DataError
from ecomlib.io import MARKER, atomic_write_json, read_marker

VERB = "train"
# what save_pretrained (model + tokenizer) and the loop write into a model folder
MODEL_FILES = frozenset({
    "config.json", "generation_config.json", "model.safetensors", "model.safetensors.index.json",
    "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.json",
    "merges.txt", "tokenizer.model", "chat_template.jinja", "chat_template.json",
    "README.md", "history.jsonl", "run_config.json", "result.json",
})
_SHARD = re.compile(r"^model-\d{5}-of-\d{5}\.safetensors$")


def is_model_file(name: object) -> bool:
    return isinstance(name, str) and (name in MODEL_FILES or bool(_SHARD.match(name)))


def recorded_files(out_dir: Path) -> set[str]:
    """Every name a run listed in the folder's marker as written by ``train`` (the final save may replace
    them: a name save_pretrained writes that is missing from ``MODEL_FILES`` is never deleted, only replaced)."""
    return {n for n, verb in ((read_marker(out_dir) or {}).get("files") or {}).items() if verb == VERB}


def owned_files(out_dir: Path) -> set[str]:
    """Known model-file names an earlier run recorded as written by ecomlib in ``out_dir``."""
    listed = recorded_files(out_dir)
    try:
        result = json.loads((out_dir / "result.json").read_text(encoding="utf-8"))
        listed |= {n for n in result.get("files", []) if isinstance(n, str)}
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    if _is_run_config(out_dir / "run_config.json"):  # an unfinished run (killed before its final save)
        listed |= {"run_config.json", "history.jsonl"}
    return {n for n in listed if is_model_file(n)}


def _is_run_config(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and {"stage", "size", "train", "init", "tokenizer", "data"} <= set(data)


def refuse_foreign(out_dir: Path, names, owned: set[str]) -> None:
    """DataError naming the first of ``names`` present in ``out_dir`` that ecomlib did not write."""
    for name in sorted(names):
        if name not in owned and ((out_dir / name).exists() or (out_dir / name).is_symlink()):
            raise DataError(f"{out_dir / name}: exists and was not written by ecomlib; `ecomlib train` writes its "
                            "model files (config.json, weights, tokenizer files, README.md, history.jsonl, "
                            "run_config.json, result.json) there, so move it away or choose another --out "
                            "(even with --overwrite)")


def foreign_model_files(out_dir: Path, owned: set[str]) -> None:
    """Refuse a folder holding a known model-file name (or shard) that ecomlib did not write."""
    if out_dir.is_dir():
        refuse_foreign(out_dir, [p.name for p in out_dir.iterdir() if is_model_file(p.name)], owned)


def record(out_dir: Path, names) -> None:
    """List ``names`` in the folder's marker as written by ``train`` (before they are written)."""
    marker = read_marker(out_dir) or {}
    files = {**(marker.get("files") or {}), **{name: VERB for name in names}}
    atomic_write_json(out_dir / MARKER, {**marker, "files": files})
