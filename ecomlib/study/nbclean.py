"""Tidy an executed notebook before it is rendered and committed (run_all.sh runs this on each one):

* papermill metadata with repo-relative paths, so committed results carry no path of this machine;
* the injected parameters one assignment per line, long values wrapped at ~100 characters (papermill
  writes each override dict on one line, which ran off the right edge of every HTML page);
* consecutive stream outputs merged and carriage-return frames (progress bars) collapsed to their
  last state, as a terminal would show them;
* a check: a notebook that saves figures must embed at least one (exit 1 otherwise);
* a check: no table is cut by pandas ("12 rows × 26 columns", "...") or shows "NaN" for an empty cell
  (``table_problems``; the test suite applies it to every cell nbval executes, see conftest.py).
"""

from __future__ import annotations

import ast
import json
import os
import pprint
import re
import sys
from pathlib import Path

from ecomlib.config import REPO_ROOT
from ecomlib.io import atomic_write_text

WIDTH = 100


def _strip_root(text):
    root = str(REPO_ROOT) + os.sep
    if isinstance(text, list):
        return [t.replace(root, "") for t in text]
    return text.replace(root, "") if isinstance(text, str) else text


def relative_paths(nb: dict) -> None:
    """Repo-relative paths in papermill's metadata and in every output's text: a committed rendering
    names no folder of the machine that ran it."""
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = _strip_root(out["text"])
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in out.get("data", {}):
                    out["data"][mime] = _strip_root(out["data"][mime])
    meta = nb.get("metadata", {}).get("papermill", {})
    for key in ("input_path", "output_path"):
        value = meta.get(key)
        if isinstance(value, str) and os.path.isabs(value):
            try:
                meta[key] = str(Path(value).resolve().relative_to(REPO_ROOT))
            except ValueError:
                meta[key] = Path(value).name


def wrap_assignments(source: str) -> str:
    """``x = <literal>`` lines re-printed with pprint, continuation lines under the value's start."""
    out = []
    for line in source.splitlines():
        name, sep, value = line.partition(" = ")
        try:
            literal = ast.literal_eval(value) if sep and name.isidentifier() else None
        except (ValueError, SyntaxError):
            literal = None
        if literal is None or len(line) <= WIDTH:
            out.append(line)
            continue
        pad = " " * len(name + sep)
        text = pprint.pformat(literal, width=WIDTH - len(pad), sort_dicts=False)
        out.append(name + sep + text.replace("\n", "\n" + pad))
    return "\n".join(out)


def wrap_injected_parameters(nb: dict) -> None:
    for cell in nb.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = wrap_assignments(src)


def _as_terminal(text: str) -> str:
    """What a terminal shows: each line keeps only what follows its last carriage return."""
    lines = text.split("\n")
    shown = [next((seg for seg in reversed(line.split("\r")) if seg), "") if "\r" in line else line
             for line in lines]
    return "\n".join(shown)


def collapse_streams(nb: dict) -> None:
    for cell in nb.get("cells", []):
        merged: list[dict] = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                if merged and merged[-1].get("output_type") == "stream" and merged[-1]["name"] == out["name"]:
                    merged[-1]["text"] += text
                    continue
                out = {**out, "text": text}
            merged.append(out)
        for out in merged:
            if out.get("output_type") == "stream":
                out["text"] = _as_terminal(out["text"])
        if "outputs" in cell:
            cell["outputs"] = merged


def count_figures(nb: dict) -> tuple[int, int]:
    """(cells that call save_figure, image/png outputs embedded)."""
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    # a cell marked NBCLEAN_OPTIONAL_FIGURE draws only when it has data (e.g. no judgements yet)
    saving = sum("save_figure(" in (src := "".join(c.get("source", ""))) and "NBCLEAN_OPTIONAL_FIGURE" not in src
                 for c in code)
    images = sum("image/png" in out.get("data", {}) for c in code for out in c.get("outputs", []))
    return saving, images


def table_problems(outputs: list) -> list[str]:
    """What a reader of these cell outputs would miss: a table pandas cut (its "N rows × M columns" line,
    "..." cells) or an empty cell shown as "NaN" (ecomlib.study.notebook.set_display prevents both)."""
    problems = []
    for out in outputs:
        html = out.get("data", {}).get("text/html", "")
        html = "".join(html) if isinstance(html, list) else html
        if "<table" not in html:
            continue
        if re.search(r"<p>\d+ rows × \d+ columns</p>", html) or re.search(r"<t[dh]>\.\.\.</t[dh]>", html):
            problems.append("a table is cut by pandas (rows × columns, '...'): display it whole")
        if "<td>NaN</td>" in html:
            problems.append("a table shows 'NaN' for an empty cell: show '–'")
    return problems


def clean(path: str | Path) -> None:
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    relative_paths(nb)
    wrap_injected_parameters(nb)
    collapse_streams(nb)
    atomic_write_text(path, json.dumps(nb, ensure_ascii=False, indent=1) + "\n")
    saving, images = count_figures(nb)
    if saving and not images:
        raise SystemExit(f"nbclean: {path}: {saving} cell(s) call save_figure but no figure (image/png output) "
                         "is embedded; was the notebook run with a kernel that displays them?")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        clean(p)
