"""Summary numbers of one ``scores.json``: what a suite's ``summarize`` returns (``ecomlib.evaluation.registry``).

``summarize(scores)`` flattens a held-out (or published) suite's scores into the numbers the paper's tables
use: the Table-4 row (reference-compatible metrics, as the paper computed them, and the corrected ones with a
``_c`` suffix), Rouge-L on unseen datasets per paradigm (Tables 8-9) and per test language (Table 10).
``summarize_heldin`` does the same for the held-in split. May import leaf modules and evaluation.scoring.
"""

from __future__ import annotations

from typing import Any, Sequence

from ecomlib.evaluation.scoring import table_row
from ecomlib.schema import PARADIGM_OF_TASK_TYPE

REF_ROUGE, COR_ROUGE = "rougeL_ws", "rougeL_char"


def _mean(xs: Sequence[float]) -> float | None:
    xs = [x for x in xs if x is not None]
    return round(sum(xs) / len(xs), 2) if xs else None


def summarize(scores: dict) -> dict[str, Any]:
    tasks = scores["tasks"]
    out: dict[str, Any] = {k: (None if v is None else round(v, 2)) for k, v in table_row(scores, "ref").items()}
    out.update({f"{k}_c": (None if v is None else round(v, 2)) for k, v in table_row(scores, "corrected").items() if k != "UD_n_tasks"})
    ud = {t: m for t, m in tasks.items() if m.get("level") == "unseen_dataset"}
    for paradigm in ("CLS", "EXT", "OTHER", "GEN"):
        sel = [m for m in ud.values() if PARADIGM_OF_TASK_TYPE[m["task_type"]] == paradigm]
        out[f"UD_rougeL_{paradigm}"] = _mean([m.get(REF_ROUGE) for m in sel])
        out[f"UD_rougeL_{paradigm}_c"] = _mean([m.get(COR_ROUGE) for m in sel])
    for lang in ("en", "zh"):
        sel = [m for m in ud.values() if m.get("lang") == lang]
        out[f"UD_rougeL_{lang.upper()}"] = _mean([m.get(REF_ROUGE) for m in sel])
        out[f"UD_rougeL_{lang.upper()}_c"] = _mean([m.get(COR_ROUGE) for m in sel])
    return out


def summarize_heldin(scores: dict) -> dict[str, Any]:
    """Held-in numbers: Rouge-L (reference / corrected) and micro-F1 averaged over the held-in tasks, and
    each task's reference Rouge-L as ``HI:<task>``."""
    tasks = scores.get("tasks", {})
    out: dict[str, Any] = {
        "HI_rougeL": _mean([m.get(REF_ROUGE) for m in tasks.values()]),
        "HI_rougeL_c": _mean([m.get(COR_ROUGE) for m in tasks.values()]),
        "HI_miF1": _mean([m.get("miF1_ref") for m in tasks.values()]),
        "HI_n_tasks": len(tasks),
    }
    out.update({f"HI:{t}": None if m.get(REF_ROUGE) is None else round(m[REF_ROUGE], 2) for t, m in sorted(tasks.items())})
    return out


TASK_META_KEYS = ("level", "lang", "paradigm", "task_type")


def task_meta(scores: dict) -> dict[str, dict[str, str]]:
    """``{task: {level, lang, paradigm, task_type}}`` of one ``scores.json``, the same for every suite (a
    results table's row keys). The paradigm follows from the TaskType (every suite's instances agree)."""
    return {t: {"level": m.get("level", ""), "lang": m.get("lang", ""),
                "paradigm": PARADIGM_OF_TASK_TYPE[m["task_type"]], "task_type": m["task_type"]}
            for t, m in sorted(scores.get("tasks", {}).items())}
