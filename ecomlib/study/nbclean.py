"""Make an executed notebook's papermill metadata machine-independent (repo-relative paths), so
committed results carry no path of the machine that produced them."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ecomlib.config import REPO_ROOT
from ecomlib.io import atomic_write_text


def relative_paths(path: str | Path) -> None:
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    meta = nb.get("metadata", {}).get("papermill", {})
    for key in ("input_path", "output_path"):
        value = meta.get(key)
        if isinstance(value, str) and os.path.isabs(value):
            try:
                meta[key] = str(Path(value).resolve().relative_to(REPO_ROOT))
            except ValueError:
                meta[key] = Path(value).name
    atomic_write_text(path, json.dumps(nb, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        relative_paths(p)
