"""ChineseEcomQA (OpenStellarTeam, 2025) in the open-world study: its trivial predictors and its table.

When ``ECOMLIB_DATA_DIR`` holds ``OpenStellarTeam/ChineseEcomQA/data/ChineseEcomQA.jsonl``, the open-world
study scores every model of notebook 03 on it (suite ``"chinese_ecomqa"`` of ``ecomlib.evaluation.registry``,
which decides whether it applies, reads ``eval.n_per_task`` rows per task code and names the file's bytes),
each code by its headline metric (``ecomlib.evaluation.chinese_ecomqa.HEADLINE``). The suite is never
trained on (``ecomlib.instruct.leak_guard``), so its numbers are read only against trivial predictors scored
on the same rows: no training split of its tasks exists to learn from. This module lays out the table.
May import evaluation and study modules.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Sequence

import pandas as pd

from ecomlib.errors import ConfigError
from ecomlib.evaluation import chinese_ecomqa as cqa
from ecomlib.evaluation.chinese_ecomqa import headline_row
from ecomlib.evaluation.registry import get_suite
from ecomlib.evaluation.trivial import copy_input, in_suite_majority, random_candidate
from ecomlib.study import pipeline
from ecomlib.study.plan import seed_profile
from ecomlib.study.tables import seed_means

SPLIT = "chinese_ecomqa"
SUITE = get_suite(SPLIT)
# A prompt's ``***name***：`` markers and its trailing answer slot (``***答案***：``), which is no input.
_MARKER = re.compile(r"\*{3}[^*\n]{1,20}\*{3}\s*[：:]?")
_ANSWER_SLOT = re.compile(r"\*{3}答案\*{3}\s*[：:]?\s*$")
_QUERY = re.compile(r"\*{3}query\*{3}\s*[：:]?(.*?)(?=\*{3}|$)", re.S)
# PC lists lettered options in its last candidates field: "***候选品类***：A.…;B.…"
_CANDIDATES = "***候选"
_OPTION = re.compile(r"(?:^|[;；\n])\s*([A-Z])[.．、]")


def input_text(inst) -> str:
    """The prompt without its field markers and answer slot: what a "copy input" predictor copies."""
    return _MARKER.sub("", _ANSWER_SLOT.sub("", inst.text)).strip()


def query(inst) -> str:
    """The ``***query***`` field of a prompt (SC: the query to correct), else its input text."""
    m = _QUERY.search(inst.text)
    return m.group(1).strip() if m else input_text(inst)


def options(inst) -> tuple[str, ...]:
    """The option letters a PC prompt lists (its gold is one of them); () for any other code."""
    if inst.meta["code"] != "PC" or _CANDIDATES not in inst.text:
        return ()
    field = _MARKER.split(inst.text[inst.text.rindex(_CANDIDATES):])[1]
    return tuple(dict.fromkeys(_OPTION.findall(field.strip())))


def trivial_predictions(items: Sequence, seed: int = 0) -> dict[str, dict]:
    """``{name: predictions}`` of the trivial predictors that apply to ChineseEcomQA, which has no training
    rows (so no training majority) and puts no candidate list on its instances (options come from the prompt):

    ``majority``    each code's most frequent gold answer among the other scored rows (leave one out:
                    the constant answer of a predictor that knows the code's label distribution);
    ``random option``  PC: one of the option letters its prompt lists (seeded per instance); the other
                    codes list no lettered options: empty;
    ``copy input``  SC: the query unchanged (its gold when the query needs no correction); the other
                    Extract / Generate codes: the input's first 60 characters; CLS codes: as
                    ``ecomlib.evaluation.trivial.copy_input`` (no candidates on the instance: empty)."""
    with_options = [dataclasses.replace(i, label_set=options(i)) for i in items]
    copy = copy_input(items, seed, text=input_text)
    copy.update({(i.task, i.index): query(i) for i in items if i.meta["code"] == "SC"})
    return {"majority": in_suite_majority(items), "random option": random_candidate(with_options, seed),
            "copy input": copy}


def columns() -> list[str]:
    """The headline column of each task code, in ``HEADLINE``'s order."""
    return [f"{code} {metric}" for code, metric in cqa.HEADLINE.items()]


def best_per_code(trivial: list[dict]) -> dict:
    """The floor a model's row is read against: each code's best trivial value, and their mean."""
    best = {}
    for col in columns():
        vals = [r[col] for r in trivial if r.get(col) is not None]
        if vals:
            best[col] = max(vals)
    mean = round(sum(best.values()) / len(best), 2) if best else None
    return {"Model": "trivial: best per code", "family": "trivial", "size": "–", "n_seeds": 1, **best, "mean": mean}


def table(profile, runs: list[dict]) -> pd.DataFrame:
    """One row per family and size of ``runs`` (notebook 03's models, ``{"family", "size", "seed",
    "model_dir"}``): each code's headline metric and their mean, mean over seeds, with the seed sd of the
    mean (``mean sd``, as ``table4_main``'s ``UD Rouge sd``: empty with one seed); then each trivial
    predictor scored on the same rows, and their best per code. Codes absent from the file are empty (None)."""
    if not SUITE.applies(profile):
        raise ConfigError(SUITE.status_note(profile))
    scored = []
    for r in runs:
        p = seed_profile(profile, r["seed"])
        scores = pipeline.evaluate(p, Path(r["model_dir"]), SPLIT)
        scored.append({"family": r["family"], "size": r["size"], "seed": r["seed"], **SUITE.summarize(scores)})
    means = seed_means(scored, by=("family", "size"), spread=("mean",))
    rows = [{"Model": f"{r['family']} {r['size']}", **r} for r in means]
    items = pipeline.heldout_suite(profile, SPLIT)
    # A score counts only next to what a trivial predictor gets on the same rows.
    trivial = [{"Model": f"trivial: {name}", "family": "trivial", "size": "–", "n_seeds": 1,
                **headline_row(cqa.summary(items, preds))}
               for name, preds in trivial_predictions(items, profile.seed).items()]
    rows += trivial + [best_per_code(trivial)]
    cols = ["Model", "family", "size", "n_seeds", *columns(), "mean"]
    out = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    out["mean sd"] = [r.get("mean_sd") for r in rows]
    return out
