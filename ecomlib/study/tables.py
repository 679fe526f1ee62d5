"""Summary numbers per model and tables beside the paper's.

``summarize(scores)`` (``ecomlib.evaluation.summary``) flattens one ``scores.json`` into the numbers the
paper's tables use; this module lays them out beside the paper's.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Sequence

import pandas as pd


def paper_tables() -> dict:
    """The paper's numbers (copied as data from the project's reference, with its source)."""
    return json.loads(resources.files("ecomlib.study").joinpath("paper_reference.json").read_text(encoding="utf-8"))


def paper_table(key: str) -> pd.DataFrame:
    t = paper_tables()["tables"][key]
    return pd.DataFrame(t["rows"], columns=t["columns"])


SPREAD_KEYS = ("UD_rougeL", "UD_rougeL_c", "HI_rougeL", "HI_rougeL_c")


def seed_means(rows: list[dict], by: Sequence[str], spread: Sequence[str] = SPREAD_KEYS) -> list[dict]:
    """One row per ``by`` group (first-seen order): the mean over seeds of every numeric value, the seed sd
    of the ``spread`` keys (``<key>_sd``; default the headline keys) and ``n_seeds``. Non-numeric values are
    kept from the first row."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in by), []).append(r)
    out = []
    for members in groups.values():
        row = {}
        for k, v in members[0].items():
            vals = [m.get(k) for m in members]
            if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in vals):
                row[k] = round(sum(vals) / len(vals), 2)
            else:
                row[k] = v
        for k in spread:
            vals = [m[k] for m in members if isinstance(m.get(k), (int, float))]
            if len(vals) >= 2:
                mu = sum(vals) / len(vals)
                row[f"{k}_sd"] = round((sum((x - mu) ** 2 for x in vals) / (len(vals) - 1)) ** 0.5, 2)
        row["n_seeds"] = len(members)
        out.append(row)
    return out


def seed_frame(rows: list[dict], keys: Sequence[str], by: Sequence[str] = ("group", "label", "size")) -> pd.DataFrame:
    """``seed_means`` as a table (Tables 5 and 11): the ``by`` columns present, the mean of each of ``keys``,
    their seed sd (``<key>_sd``, empty with one seed) and ``n_seeds``."""
    by = [b for b in by if rows and b in rows[0]]
    cols = [*by, *keys, *(f"{k}_sd" for k in keys), "n_seeds"]
    means = seed_means(rows, by, spread=keys)
    return pd.DataFrame([{c: m.get(c, float("nan")) for c in cols} for m in means], columns=cols)


def side_by_side(ours: pd.DataFrame, paper: pd.DataFrame, on_ours: str, on_paper: str, cols: dict[str, str]) -> pd.DataFrame:
    """Our column ``k`` beside the paper's column ``cols[k]``, rows matched by label."""
    left = ours[[on_ours, *cols]].rename(columns={k: f"{k} (ours)" for k in cols})
    right = paper[[on_paper, *cols.values()]].rename(columns={v: f"{v} (paper)" for v in cols.values()})
    return left.merge(right, left_on=on_ours, right_on=on_paper, how="left").drop(columns=[on_paper] if on_paper != on_ours else [])


# ---------------------------------------------------------------------------------------------------
# Our tables in the paper's layouts, beside the paper's numbers (notebooks 04-09).

PAPER_SIZES = ("560m", "1b7", "3b", "7b1")


def paper_size_map(profile) -> dict[str, str | None]:
    """Our ladder's sizes matched by rank to the paper's (smallest ↔ 560m, …); extra sizes get None."""
    names = [s.name for s in profile.model.ladder]
    return {n: (PAPER_SIZES[i] if i < len(PAPER_SIZES) else None) for i, n in enumerate(names)}


UD_COLS = {"UD_miF1": "miF1", "UD_maF1": "maF1", "UD_rougeL": "Rouge-L"}

# How each of our saved tables lines up with the paper's: key columns (ours -> paper), value columns
# (ours -> paper), and our row labels renamed to the paper's where they differ.
PAPER_SPECS: dict[str, dict] = {
    "table5_cot_overall": {
        "paper": "table5_cot_overall", "keys": {"label": "Training data"}, "cols": UD_COLS,
        "labels": {
            "w/o pseudo-label CoT": "w/o pseudo-label CoT (ChatGPT-labelled)",
            "w/o pseudo- and gold-label CoT": "w/o golden-label CoT (derived from gold labels)",
        },
    },
    "table8_cot_paradigm": {
        "paper": "table8_cot_paradigm", "keys": {"label": "Training"},
        "cols": {"UD_rougeL_CLS": "CLS", "UD_rougeL_EXT": "Ext", "UD_rougeL_OTHER": "Other",
                 "UD_miF1": "UD miF1", "UD_maF1": "UD maF1", "UD_rougeL": "UD Rouge"},
    },
    "table11_prompts": {"paper": "table11_prompts", "keys": {"group": "Ablation", "label": "Setting"}, "cols": UD_COLS},
    "table9_cross_paradigm": {
        "paper": "table9_cross_paradigm", "keys": {"paper size": "Size", "Training": "Training"},
        "cols": {c: c for c in ("CLS", "EXT", "Other", "ALL")},
    },
    "table10_cross_language": {
        "paper": "table10_cross_language", "keys": {"paper size": "Size", "Train": "Train"},
        "cols": {c: c for c in ("test EN", "test ZH", "test EN+ZH")},
    },
}


def beside_paper(key: str, ours: pd.DataFrame) -> pd.DataFrame:
    """Our table ``key`` (as saved by its notebook) with the paper's numbers beside each column.

    Rows are matched on the spec's key columns (our labels renamed to the paper's); a row the paper
    does not have gets empty paper cells. Seed spreads (``<col>_sd``) are kept beside our means."""
    spec = PAPER_SPECS[key]
    paper = paper_table(spec["paper"])
    labels = spec.get("labels", {})
    left = ours.copy()
    tmp = {}
    for ok, pk in spec["keys"].items():
        tmp[f"__{pk}"] = pk
        left[f"__{pk}"] = left[ok].map(lambda v: labels.get(v, v)).astype(object)
    right = paper[[*spec["keys"].values(), *spec["cols"].values()]].copy()
    right = right.rename(columns={pk: f"__{pk}" for pk in spec["keys"].values()})
    right = right.rename(columns={pc: f"{pc} (paper)" for pc in spec["cols"].values()})
    merged = left.merge(right, on=list(tmp), how="left")
    out = merged[list(spec["keys"])].copy()
    for oc, pc in spec["cols"].items():
        out[f"{oc} (ours)"] = merged[oc]
        if f"{oc}_sd" in merged:
            out[f"{oc} sd"] = merged[f"{oc}_sd"]
        out[f"{pc} (paper)"] = merged[f"{pc} (paper)"]
    return out


def _num(v: Any) -> float:
    return float("nan") if v is None else float(v)


CROSS_LANGUAGE_SPREAD = ("UD_rougeL_EN", "UD_rougeL_ZH", "UD_rougeL")  # seed_means(spread=...) for the sd columns


def cross_language_table(rows: list[dict], size_map: dict[str, str | None] | None = None,
                         sd: bool = False) -> pd.DataFrame:
    """Table 10 from ``experiments.cross_language`` rows: per size, train EN / +ZH Δ / EN+ZH / +EN Δ / ZH
    against test EN / ZH / EN+ZH (unseen-dataset Rouge-L by test language). "+ZH Δ" = EN+ZH − EN (what
    adding Chinese training data gives), "+EN Δ" = EN+ZH − ZH (what adding English data gives).
    ``sd``: also ``test EN sd`` ... (the seed sd of ``seed_means(..., spread=CROSS_LANGUAGE_SPREAD)`` rows;
    empty with one seed and on the Δ rows), the error bars of a figure that shows seed means."""
    cols = {"test EN": "UD_rougeL_EN", "test ZH": "UD_rougeL_ZH", "test EN+ZH": "UD_rougeL"}
    if sd:
        cols |= {f"{c} sd": f"{k}_sd" for c, k in list(cols.items())}
    by = {(r["size"], r["label"]): {c: _num(r.get(k)) for c, k in cols.items()} for r in rows}
    out = []
    for size in dict.fromkeys(r["size"] for r in rows):
        en, both, zh = (by.get((size, t)) for t in ("EN", "EN+ZH", "ZH"))
        if en is None or both is None or zh is None:
            raise ValueError(f"cross-language rows for size {size!r} need EN, EN+ZH and ZH")
        delta = lambda a, b: {c: None if c.endswith(" sd") else round(a[c] - b[c], 2) for c in cols}  # noqa: E731
        for train, vals in (("EN", en), ("+ZH Δ", delta(both, en)), ("EN+ZH", both), ("+EN Δ", delta(both, zh)), ("ZH", zh)):
            out.append({"size": size, "paper size": (size_map or {}).get(size), "Train": train, **vals})
    return pd.DataFrame(out)


def cross_paradigm_table(rows: list[dict], size_map: dict[str, str | None] | None = None) -> pd.DataFrame:
    """Table 9 from ``experiments.cross_paradigm`` rows: unseen-dataset Rouge-L per test paradigm."""
    cols = {"CLS": "UD_rougeL_CLS", "EXT": "UD_rougeL_EXT", "Other": "UD_rougeL_OTHER", "ALL": "UD_rougeL"}
    return pd.DataFrame(
        [{"size": r["size"], "paper size": (size_map or {}).get(r["size"]), "Training": r["label"],
          **{c: _num(r.get(k)) for c, k in cols.items()}} for r in rows]
    )


def change_vs_full(df: pd.DataFrame, cols: Sequence[str], label: str = "Training", by: str = "size") -> pd.DataFrame:
    """Each ablation row minus the "Full" row of its group (the heatmap of Table 9)."""
    out = []
    for key, g in df.groupby(by, sort=False):
        full = g[g[label] == "Full"]
        if full.empty:
            raise ValueError(f"no 'Full' row for {by}={key!r}")
        for _, r in g[g[label] != "Full"].iterrows():
            out.append({by: key, label: r[label], **{c: round(r[c] - full.iloc[0][c], 2) for c in cols}})
    return pd.DataFrame(out)


# The Markdown of a wide table: the paper's layout first, every other column in a second table (readers
# met 26 columns in table4_main.md). The CSV keeps all columns in one table.
TABLE4_LAYOUT = ("Model", *(f"{t} {m}" for t in ("UD", "PA", "RTC") for m in ("miF1", "maF1", "Rouge")), "PS Rouge")
MARKDOWN_LAYOUT = {"table4_main": TABLE4_LAYOUT}


MISSING = "–"  # how a table cell without a number renders (e.g. a task family absent from the scored suite)


def with_missing(df: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """``df`` for display: every empty cell (None / NaN) as ``MISSING``, and a note naming the columns
    that have no number at all (e.g. the open world has no Product Select task). Never raises on NaN."""
    # a seed-spread column is empty with one seed: normal, not worth a note
    empty = [c for c in df.columns if df[c].isna().all() and not str(c).endswith(("sd", "_sd"))]
    shown = df.astype(object).where(df.notna(), MISSING)
    note = (f"{MISSING} = no number; columns with none at all (no such task, or no such row, in what was "
            f"scored): {', '.join(map(str, empty))}" if empty else "")
    return shown, note
