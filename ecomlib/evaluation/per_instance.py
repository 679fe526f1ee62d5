"""Per-instance scores (percent), the raw material of paired bootstrap intervals (ecomlib.study.stats).

``instance_scores`` gives, per task, one value per instance ordered by index, whose mean is exactly the
task's score in ``metrics.score_task`` (before its rounding to 4 decimals):
  ``rougeL_ws``    reference Rouge-L of the (hypothesis, reference) pair the published scorer builds;
  ``rougeL_char``  corrected character / word Rouge-L;
  ``acc``          exact (parsed-set) match, 0 or 100, as ``score_task``'s ``acc``.
F1 scores pool counts over a task's instances and have no per-instance decomposition, so they are absent.

``save_instance_scores`` / ``load_instance_scores``: one compact JSON file (sorted keys, floats written
as Python's shortest round-trip repr, so the bytes are deterministic and loading is exact).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from ecomlib.errors import DataError
from ecomlib.evaluation import parsing
from ecomlib.evaluation.instance import EvalInstance
from ecomlib.evaluation.rouge import rouge_l_char, rouge_l_ws
from ecomlib.io import atomic_write_text

FILENAME = "instance_scores.json"
VALUE_KEYS = ("rougeL_ws", "rougeL_char", "acc")
META_KEYS = ("level", "task_type", "paradigm", "lang")


def _exact(task_type: str, pred: str, gold: str) -> bool:
    if task_type == "NER":
        return parsing.parse_ner(pred) == parsing.parse_ner(gold)
    if task_type == "Generate":
        return parsing.norm(pred) == parsing.norm(gold)
    return parsing.parse_labels(pred) == parsing.parse_labels(gold)


def instance_scores(instances: Sequence[EvalInstance], predictions: dict[tuple[str, int], str]) -> dict[str, dict]:
    """``{task: {rougeL_ws, rougeL_char, acc, index: ndarray, level, task_type, paradigm, lang}}``."""
    by_task: dict[str, list[EvalInstance]] = {}
    for inst in instances:
        by_task.setdefault(inst.task, []).append(inst)
    missing = [(i.task, i.index) for i in instances if (i.task, i.index) not in predictions]
    if missing:
        raise DataError(f"no prediction for {len(missing)} instance(s), e.g. {missing[:5]}")
    out: dict[str, dict] = {}
    for task in sorted(by_task):
        insts = sorted(by_task[task], key=lambda i: i.index)
        tt = insts[0].task_type
        ws, ch, acc = [], [], []
        for i in insts:
            pred = predictions[(i.task, i.index)]
            ws.append(100.0 * rouge_l_ws(*parsing.ref_rouge_pair(tt, pred, i.gold)))
            ch.append(100.0 * rouge_l_char(pred, i.gold))
            acc.append(100.0 * _exact(tt, pred, i.gold))
        out[task] = {
            "rougeL_ws": np.array(ws), "rougeL_char": np.array(ch), "acc": np.array(acc),
            "index": np.array([i.index for i in insts], dtype=np.int64),
            "level": insts[0].level, "task_type": tt, "paradigm": insts[0].paradigm, "lang": insts[0].lang,
        }
    return out


def _to_json(scores: dict[str, dict]) -> dict:
    return {
        task: {**{k: m[k] for k in META_KEYS}, "index": [int(x) for x in m["index"]],
               **{k: [float(x) for x in m[k]] for k in VALUE_KEYS if k in m}}
        for task, m in scores.items()
    }


def save_instance_scores(out_dir: Path, scores: dict[str, dict]) -> Path:
    """Write ``<out_dir>/instance_scores.json`` atomically; returns its path."""
    text = json.dumps(_to_json(scores), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    return atomic_write_text(Path(out_dir) / FILENAME, text)


def load_instance_scores(path: Path) -> dict[str, dict]:
    """Read a file written by ``save_instance_scores`` (or the folder holding it) back into arrays."""
    path = Path(path)
    if path.is_dir():
        path = path / FILENAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: not a valid instance-scores JSON file ({exc})") from None
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a JSON object of tasks")
    out: dict[str, dict] = {}
    for task, m in raw.items():
        need = ("index", "rougeL_ws", "rougeL_char", *META_KEYS)
        absent = [k for k in need if k not in m] if isinstance(m, dict) else list(need)
        if absent:
            raise DataError(f"{path}: task {task!r}: expected keys {absent}")
        n = len(m["index"])
        if any(len(m[k]) != n for k in VALUE_KEYS if k in m):
            raise DataError(f"{path}: task {task!r}: value lists differ in length from 'index' ({n})")
        out[task] = {**{k: m[k] for k in META_KEYS}, "index": np.array(m["index"], dtype=np.int64),
                     **{k: np.array(m[k], dtype=np.float64) for k in VALUE_KEYS if k in m}}
    return out
