"""Write and read a built EcomInstruct directory.

Layout of ``<out>/ecominstruct/`` (written atomically, as a whole)::

    train.jsonl, heldout.jsonl, heldin.jsonl   one row per line, keys exactly ecomlib.schema.ROW_KEYS
    dataset_dict.json, train/, heldout/, heldin/   the same rows as an HF DatasetDict (save_to_disk)
    stats.json                     counts per task/lang/paradigm/origin/strategy, registry, fingerprints
    README.md                      the data card
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Literal

from ecomlib.errors import DataError
from ecomlib.instruct.tasks import REGISTRY_VERSION
from ecomlib.io import (atomic_dir, atomic_write_json, atomic_write_jsonl, atomic_write_text, read_jsonl,
                        refuse_symlink)
from ecomlib.instruct.leak_guard import card_lines
from ecomlib.schema import ROW_KEYS
from ecomlib.sources.registry import licence_lines

SPLITS = ("train", "heldout", "heldin")
FILES = ("train.jsonl", "heldout.jsonl", "heldin.jsonl", "stats.json", "README.md", "dataset_dict.json")


def features():
    from datasets import Features, Sequence, Value

    spec = {k: Value("string") for k in ROW_KEYS}
    spec["index"] = Value("int64")
    spec["candidates"] = Sequence(Value("string"))
    return Features(spec)


def _counts(rows: list[dict], key: str) -> dict[str, int]:
    return dict(sorted(Counter(r[key] for r in rows).items()))


def make_stats(result, profile, fingerprint: str) -> dict:
    stats: dict = {
        "fingerprint": fingerprint,
        "profile": profile.name,
        "profile_fingerprint": profile.fingerprint("seed", "world", "data"),
        "world": profile.data.world,
        "seed": profile.seed,
        "registry_version": REGISTRY_VERSION,
        "tasks": [t.to_dict() for t in result.registry],
        "records_read": dict(sorted(result.records_read.items())),
        "unique_instances_before_cap": dict(sorted(result.seen_per_task.items())),
        "train_records_dropped_as_heldout_text": dict(sorted(result.leak_skipped.items())),
        "records_reserved_for_heldin": dict(sorted(result.heldin_reserved.items())),
        "train_rows_dropped_as_heldin_input": result.heldin_leak_dropped,
        "rows_dropped_as_conflicting_prompts": getattr(result, "conflicts_dropped", {}),  # open world only
        "derivability": getattr(result, "derivability", {}),  # split -> task -> share (quality.py)
        "evaluation_suite_overlap": getattr(result, "suite_overlap", {}),  # leak_guard.py (open world)
    }
    for split in SPLITS:
        rows = getattr(result, split)
        stats[split] = {"rows": len(rows), "tasks": len({r["task"] for r in rows})}
        for key in ("task", "lang", "paradigm", "origin", "strategy", "data_type", "level"):
            stats[split][f"per_{key}"] = _counts(rows, key)
    return stats


def _table(counts: dict[str, int], head: str) -> str:
    lines = [f"| {head} | rows |", "|---|---:|"]
    lines += [f"| {k or '(none)'} | {v} |" for k, v in counts.items()]
    return "\n".join(lines)


def _derivability_table(report: dict[str, dict]) -> str:
    lines = ["| task | rows | derivable | share |", "|---|---:|---:|---:|"]
    lines += [f"| {t} | {e['rows']} | {e['derivable']} | {e['share']:.1%} |" for t, e in report.items()]
    return "\n".join(lines)


def data_card(stats: dict, profile) -> str:
    tr, ho, hi = stats["train"], stats["heldout"], stats["heldin"]
    d = profile.data
    parts = [
        "# EcomInstruct (reproduction build)",
        "",
        f"Built by `ecomlib build-data` from the `{stats['world']}` world, profile `{stats['profile']}`, "
        f"seed {stats['seed']}. Registry version {stats['registry_version']}; build fingerprint "
        f"`{stats['fingerprint']}`.",
        "",
        f"- train: {tr['rows']} rows in {tr['tasks']} tasks (at most {d.max_per_task} per task)",
        f"- held-out: {ho['rows']} rows in {ho['tasks']} tasks (at most {d.heldout_per_task} per task)",
        f"- held-in: {hi['rows']} rows in {hi['tasks']} training tasks (at most {d.heldin_per_task} per task), from "
        f"{sum(stats['records_reserved_for_heldin'].values())} records that no training task sees; "
        f"{stats['train_rows_dropped_as_heldin_input']} train rows dropped because another dataset repeats a held-in input",
        f"- training template: {d.template}, prompt language {d.prompt_lang}, task info {d.task_info}, "
        f"output constraint {d.output_constraint}; held-out rows always use the fixed evaluation template",
        f"- candidate labels: gold + up to {d.n_negative_labels} negatives (NER: 2 absent types), at most "
        f"{d.max_candidates}; half of them hard (similar labels, labels the input names)",
        "",
        "Each prompt has the six parts of EcomGPT's instruction schema (task description, prompt, input, "
        "candidate labels, output constraint; the output is the target) and ends with `### Response:`. "
        "Held-out datasets and every task derived from them never appear in train; neither do the "
        "unseen task kinds.",
        "",
        "## Train",
        "",
        _table(tr["per_origin"], "origin"),
        "",
        _table(tr["per_strategy"], "strategy"),
        "",
        _table(tr["per_paradigm"], "paradigm"),
        "",
        _table(tr["per_lang"], "lang"),
        "",
        _table(tr["per_data_type"], "data type"),
        "",
        "## Held-out",
        "",
        _table(ho["per_level"], "level"),
        "",
        _table(ho["per_task"], "task"),
        "",
        "## Held-in",
        "",
        _table(hi["per_task"], "task"),
        "",
        "## Train tasks",
        "",
        _table(tr["per_task"], "task"),
        "",
    ]
    if stats["world"] == "open":
        parts += card_lines(stats.get("evaluation_suite_overlap", {}))
        parts += licence_lines([t["dataset"] for t in stats["tasks"]])
    for split, report in stats.get("derivability", {}).items():
        parts += [f"## Derivability ({split})", "",
                  "Share of rows whose target's content words all occur in the prompt (input and candidate "
                  "labels); see `ecomlib/instruct/quality.py`.", "", _derivability_table(report), ""]
    return "\n".join(parts)


def _save_dataset_dict(result, folder: Path, progress: bool) -> None:
    import datasets

    # An empty split (no held-in tasks) is left out: datasets cannot read back an empty saved split.
    dd = datasets.DatasetDict({s: datasets.Dataset.from_list(getattr(result, s), features=features())
                               for s in SPLITS if s != "heldin" or getattr(result, s)})
    was_enabled = datasets.is_progress_bar_enabled()
    if not progress:
        datasets.disable_progress_bars()
    try:
        dd.save_to_disk(str(folder))
    finally:
        if was_enabled and not progress:
            datasets.enable_progress_bars()


# what save_to_disk writes into each split folder
_SPLIT_FILE = re.compile(r"^(data-\d{5}-of-\d{5}\.arrow|dataset_info\.json|state\.json)$")


def check_replaceable(target: Path) -> None:
    """A build replaces ``target`` as a whole: refuse a symlink, or a folder holding anything a build
    does not write (a user's notes), which the replacement would delete."""
    refuse_symlink(target)
    if not target.is_dir():
        return
    for entry in sorted(target.iterdir()):
        foreign = None if entry.name in FILES + SPLITS else entry
        if entry.name in SPLITS and entry.is_dir() and not entry.is_symlink():
            foreign = next((p for p in sorted(entry.iterdir()) if not _SPLIT_FILE.match(p.name)), None)
        if foreign is not None:
            raise DataError(f"{foreign}: not written by ecomlib; the build replaces {target} as a whole, "
                            "so move it away first")


def write_build(target: Path, result, profile, fingerprint: str, progress: bool = False) -> Path:
    stats = make_stats(result, profile, fingerprint)
    check_replaceable(target)
    with atomic_dir(target) as tmp:
        for split in SPLITS:
            atomic_write_jsonl(tmp / f"{split}.jsonl", getattr(result, split))
        _save_dataset_dict(result, tmp, progress)
        atomic_write_text(tmp / "README.md", data_card(stats, profile))
        atomic_write_json(tmp / "stats.json", stats)  # last: its presence marks a complete build
    return target


def is_complete(target: Path, fingerprint: str) -> bool:
    if not all((target / f).is_file() for f in FILES):
        return False
    try:
        return json.loads((target / "stats.json").read_text(encoding="utf-8")).get("fingerprint") == fingerprint
    except (OSError, ValueError):
        return False


def load_rows(build_dir: str | Path, split: Literal["train", "heldout", "heldin"]) -> list[dict]:
    """Rows of one split, from ``<dir>/ecominstruct`` or the ``ecominstruct`` folder itself."""
    if split not in SPLITS:
        raise DataError(f"split {split!r}: expected one of {SPLITS}")
    build_dir = Path(build_dir)
    if not (build_dir / f"{split}.jsonl").is_file() and (build_dir / "ecominstruct").is_dir():
        build_dir = build_dir / "ecominstruct"
    path = build_dir / f"{split}.jsonl"
    rows = []
    for lineno, row in enumerate(read_jsonl(path), start=1):
        if set(row) != set(ROW_KEYS):
            missing, extra = sorted(set(ROW_KEYS) - set(row)), sorted(set(row) - set(ROW_KEYS))
            raise DataError(f"{path}, line {lineno}: row keys differ from schema.ROW_KEYS (missing {missing}, extra {extra})")
        rows.append({k: row[k] for k in ROW_KEYS})
    return rows
