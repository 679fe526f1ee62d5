"""Summary numbers per model and tables beside the paper's.

``summarize(scores)`` flattens one ``scores.json`` into the numbers the paper's tables use: the Table-4
row (reference-compatible metrics, as the paper computed them, and the corrected ones with a ``_c``
suffix), Rouge-L on unseen datasets per paradigm (Tables 8-9) and per test language (Table 10).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Sequence

import pandas as pd

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


def paper_tables() -> dict:
    """The paper's numbers (copied as data from the project's reference, with its source)."""
    return json.loads(resources.files("ecomlib.study").joinpath("paper_reference.json").read_text(encoding="utf-8"))


def paper_table(key: str) -> pd.DataFrame:
    t = paper_tables()["tables"][key]
    return pd.DataFrame(t["rows"], columns=t["columns"])


def aggregate_seeds(rows: list[dict], keys: Sequence[str], by: Sequence[str] = ("group", "label", "size")) -> pd.DataFrame:
    """Mean and standard deviation over seeds of each numeric column in ``keys``."""
    df = pd.DataFrame(rows)
    by = [b for b in by if b in df.columns]
    g = df.groupby(by, sort=False)[list(keys)]
    mean, std, n = g.mean().round(2), g.std(ddof=1).round(2), g.size().rename("n_seeds")
    out = mean.join(std, rsuffix="_sd").join(n).reset_index()
    return out


def side_by_side(ours: pd.DataFrame, paper: pd.DataFrame, on_ours: str, on_paper: str, cols: dict[str, str]) -> pd.DataFrame:
    """Our column ``k`` beside the paper's column ``cols[k]``, rows matched by label."""
    left = ours[[on_ours, *cols]].rename(columns={k: f"{k} (ours)" for k in cols})
    right = paper[[on_paper, *cols.values()]].rename(columns={v: f"{v} (paper)" for v in cols.values()})
    return left.merge(right, left_on=on_ours, right_on=on_paper, how="left").drop(columns=[on_paper] if on_paper != on_ours else [])
