"""Export a built EcomInstruct for other trainers: chat messages or prompt/completion JSONL.

Two shapes, one JSON object per line, rows in the build's order:

``chat``               ``{"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": output}]}``
                       (TRL's conversational format, axolotl's ``chat_template`` / OpenAI fine-tuning files)
``prompt_completion``  ``{"prompt": prompt, "completion": output}`` (TRL's prompt-completion format,
                       axolotl's ``completion``-style input/output datasets)

The prompt is kept byte for byte, ending with ``### Response:`` and a newline, as our own training
loop sees it (the loss is on the output only), so a model tuned elsewhere is evaluated on the same
prompts. ``keep`` copies row keys (``task``, ``lang``, ...) beside the format's own, for filtering.

``export_build`` writes ``DIR/<split>.<format>.jsonl`` per split, as one set (all files or none); the shell
verb is ``ecomlib export`` (``ecomlib.commands.export``), whose ``DIR`` follows every verb's output
contract: a new or empty folder, or one export wrote; a file there that export did not write is replaced
only with ``--overwrite``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ecomlib.errors import DataError
from ecomlib.instruct.dataset import SPLITS, load_rows
from ecomlib.io import atomic_write_files, atomic_write_jsonl, jsonl_text, read_marker, record_output_file
from ecomlib.schema import ROW_KEYS

FORMATS = ("chat", "prompt_completion")
VERB = "export"  # the verb named in the output folder's marker


def _extra(row: dict, keep: Sequence[str]) -> dict:
    unknown = [k for k in keep if k not in ROW_KEYS]
    if unknown:
        raise DataError(f"keep={list(keep)}: {unknown} are not row keys; expected some of {list(ROW_KEYS)}")
    return {k: row[k] for k in keep}


def to_chat(rows: Iterable[dict], keep: Sequence[str] = ()) -> Iterator[dict]:
    """One ``{"messages": [user prompt, assistant output]}`` per row."""
    for row in rows:
        messages = [{"role": "user", "content": row["prompt"]}, {"role": "assistant", "content": row["output"]}]
        yield {**_extra(row, keep), "messages": messages}


def to_prompt_completion(rows: Iterable[dict], keep: Sequence[str] = ()) -> Iterator[dict]:
    """One ``{"prompt": ..., "completion": ...}`` per row."""
    for row in rows:
        yield {**_extra(row, keep), "prompt": row["prompt"], "completion": row["output"]}


CONVERTERS = {"chat": to_chat, "prompt_completion": to_prompt_completion}


def to_chat_jsonl(build_dir: str | Path, out: str | Path, split: str = "train", keep: Sequence[str] = ()) -> Path:
    """``out`` (a file) = the split of the build as chat messages."""
    return atomic_write_jsonl(Path(out), list(to_chat(load_rows(build_dir, split), keep)))


def to_prompt_completion_jsonl(build_dir: str | Path, out: str | Path, split: str = "train",
                               keep: Sequence[str] = ()) -> Path:
    """``out`` (a file) = the split of the build as prompt/completion pairs."""
    return atomic_write_jsonl(Path(out), list(to_prompt_completion(load_rows(build_dir, split), keep)))


def present_splits(build_dir: str | Path) -> tuple[str, ...]:
    """The splits whose JSONL is in the build (``<dir>/ecominstruct`` or that folder itself)."""
    folder = Path(build_dir)
    if (folder / "ecominstruct").is_dir():
        folder = folder / "ecominstruct"
    found = tuple(s for s in SPLITS if (folder / f"{s}.jsonl").is_file())
    if not found:
        names = ", ".join(f"{s}.jsonl" for s in SPLITS)
        raise DataError(f"{build_dir}: none of {names} (expected a build-data --out folder)")
    return found


def export_build(build_dir: str | Path, out_dir: str | Path, fmt: str, splits: Sequence[str] | None = None,
                 keep: Sequence[str] = (), overwrite: bool = False) -> list[Path]:
    """``out_dir/<split>.<fmt>.jsonl`` for each split (default: every split the build has). Every
    split is read and converted before any file is written, and the files are written as one set, so a
    bad build or a full disk leaves none of them. A file there that export did not write is replaced
    only with ``overwrite``."""
    if fmt not in FORMATS:
        raise DataError(f"format {fmt!r}: expected one of {FORMATS}")
    out_dir = Path(out_dir)
    splits = splits or present_splits(build_dir)
    names = {s: f"{s}.{fmt}.jsonl" for s in splits}
    if not overwrite:
        _refuse_foreign_files(out_dir, names.values())
    texts = {names[s]: jsonl_text(CONVERTERS[fmt](load_rows(build_dir, s), keep)) for s in splits}
    atomic_write_files(out_dir, texts)
    for name in texts:
        record_output_file(out_dir / name, VERB)
    return [out_dir / names[s] for s in splits]


def _refuse_foreign_files(out_dir: Path, names) -> None:
    listed = (read_marker(out_dir) or {}).get("files") or {}
    for name in names:
        path = out_dir / name
        if (path.exists() or path.is_symlink()) and listed.get(name) != VERB:
            raise DataError(f"--out {path}: file exists and was not written by `ecomlib {VERB}`; "
                            "choose a new folder, or pass --overwrite to replace it")
