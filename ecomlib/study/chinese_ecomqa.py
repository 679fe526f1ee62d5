"""ChineseEcomQA (OpenStellarTeam, 2025) as a split of the open-world study: evaluation only.

When ``ECOMLIB_DATA_DIR`` holds ``OpenStellarTeam/ChineseEcomQA/data/ChineseEcomQA.jsonl``, the open-world
study scores every model of notebook 03 on it (split ``"chinese_ecomqa"`` of ``ecomlib.study.pipeline``),
``eval.n_per_task`` rows per task code (the first ones in file order, as ``ecomgpt`` takes the first rows of
each published folder), each code by its headline metric (``ecomlib.evaluation.chinese_ecomqa.HEADLINE``).
The suite is never trained on (``ecomlib.evaluation.leak_guard``), so its numbers are read only against
trivial predictors scored on the same rows: no training split of its tasks exists to learn from.
Reading and scoring the file is ``ecomlib.evaluation.chinese_ecomqa``'s job; this module decides whether
the split applies, names the file it read, and lays out the table.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Sequence

import pandas as pd

from ecomlib.errors import ConfigError
from ecomlib.evaluation import chinese_ecomqa as cqa

SPLIT = "chinese_ecomqa"
# A prompt's ``***name***：`` markers and its trailing answer slot (``***答案***：``), which is no input.
_MARKER = re.compile(r"\*{3}[^*\n]{1,20}\*{3}\s*[：:]?")
_ANSWER_SLOT = re.compile(r"\*{3}答案\*{3}\s*[：:]?\s*$")
_QUERY = re.compile(r"\*{3}query\*{3}\s*[：:]?(.*?)(?=\*{3}|$)", re.S)
# PC lists lettered options in its last candidates field: "***候选品类***：A.…;B.…"
_CANDIDATES = "***候选"
_OPTION = re.compile(r"(?:^|[;；\n])\s*([A-Z])[.．、]")


def suite_path() -> Path | None:
    """The ChineseEcomQA file under ``ECOMLIB_DATA_DIR``, or None when there is none."""
    d = os.environ.get("ECOMLIB_DATA_DIR")
    path = Path(d) / cqa.FILE if d else None
    return path if path is not None and path.is_file() else None


def applies(profile) -> bool:
    """Whether the study scores ChineseEcomQA: the open world, with the file present."""
    return profile.data.world == "open" and suite_path() is not None


def source() -> dict | None:
    """What the split reads, for the evaluation cache key: the file (relative to the data dir, so the
    key does not vary by machine) and its sha256 (verified against the pinned one first), so a changed file
    is scored afresh. None when absent."""
    from ecomlib.io import sha256_file
    from ecomlib.sources.verify import verify_if_registered

    path = suite_path()
    if path is None:
        return None
    verify_if_registered(path)
    return {"file": cqa.FILE.as_posix(), "sha256": sha256_file(path)}


def instances(profile) -> list:
    """``eval.n_per_task`` rows of each task code, or [] when the split does not apply."""
    if not applies(profile):
        return []
    return cqa.load(suite_path(), n_per_task=profile.eval.n_per_task)


def status_note(profile) -> str:
    """One line: which rows were scored, or why the split is not scored."""
    if profile.data.world != "open":
        return ("ChineseEcomQA: not scored (only the open world scores it, when ECOMLIB_DATA_DIR holds "
                f"{cqa.FILE.as_posix()}; this run is the {profile.data.world} world)")
    if suite_path() is None:
        return f"ChineseEcomQA: not scored ({cqa.FILE.as_posix()} is not in ECOMLIB_DATA_DIR)"
    codes = sorted({i.meta["code"] for i in instances(profile)})
    return (f"ChineseEcomQA: scored on up to {profile.eval.n_per_task} rows of each of {len(codes)} task codes "
            f"({', '.join(codes)}), evaluation only (never trained on)")


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
    import dataclasses

    from ecomlib.evaluation.trivial import copy_input, in_suite_majority, random_candidate

    with_options = [dataclasses.replace(i, label_set=options(i)) for i in items]
    copy = copy_input(items, seed, text=input_text)
    copy.update({(i.task, i.index): query(i) for i in items if i.meta["code"] == "SC"})
    return {"majority": in_suite_majority(items), "random option": random_candidate(with_options, seed),
            "copy input": copy}


def columns() -> list[str]:
    """The headline column of each task code, in ``HEADLINE``'s order."""
    return [f"{code} {metric}" for code, metric in cqa.HEADLINE.items()]


def headline_row(summary: dict) -> dict:
    """``{"<code> <metric>": value, "mean": ...}`` from ``chinese_ecomqa.summary``'s structure."""
    row = {f"{t['code']} {t['metric']}": round(t["value"], 2) for t in summary["per_task"].values()}
    return {**row, "mean": None if summary["mean"] is None else round(summary["mean"], 2)}


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
    from ecomlib.study import pipeline
    from ecomlib.study.plan import seed_profile
    from ecomlib.study.tables import seed_means

    if not applies(profile):
        raise ConfigError(status_note(profile))
    scored = []
    for r in runs:
        p = seed_profile(profile, r["seed"])
        scores = pipeline.evaluate(p, Path(r["model_dir"]), SPLIT)
        scored.append({"family": r["family"], "size": r["size"], "seed": r["seed"], **headline_row(scores[SPLIT])})
    means = seed_means(scored, by=("family", "size"), spread=("mean",))
    rows = [{"Model": f"{r['family']} {r['size']}", **r} for r in means]
    items = instances(profile)
    # A score counts only next to what a trivial predictor gets on the same rows.
    trivial = [{"Model": f"trivial: {name}", "family": "trivial", "size": "–", "n_seeds": 1,
                **headline_row(cqa.summary(items, preds))}
               for name, preds in trivial_predictions(items, profile.seed).items()]
    rows += trivial + [best_per_code(trivial)]
    cols = ["Model", "family", "size", "n_seeds", *columns(), "mean"]
    out = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    out["mean sd"] = [r.get("mean_sd") for r in rows]
    return out
