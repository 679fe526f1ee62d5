"""Table 4's layout on the paper's published evaluation folders (open world).

When ``ECOMLIB_DATA_DIR`` holds some of the 12 published test folders (``Alibaba-NLP/EcomGPT/...``), the
open-world study scores every model on them as well as on its own held-out split (suite ``"ecomgpt"`` of
``ecomlib.evaluation.registry``, which decides whether it applies, which folders are present and names the
absent ones), and the report puts *those* numbers beside the paper's Table 4. This module only lays out
the table. May import evaluation and study modules.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ecomlib.evaluation.registry import get_suite
from ecomlib.study import pipeline
from ecomlib.study.evidence import trivial_scores
from ecomlib.study.plan import seed_profile
from ecomlib.study.showcase import table4_frame
from ecomlib.study.tables import seed_means

SUITE = get_suite("ecomgpt")


def published_table4(profile, runs: list[dict]) -> pd.DataFrame:
    """Table 4's layout (reference-compatible metrics) on the published folders: one row per family and
    size of ``runs`` (notebook 03's trained models, ``{"family", "size", "seed", "model_dir"}``), mean over
    seeds, then the trivial predictors scored on the same rows. Columns of task kinds absent from the present
    folders are empty (None)."""
    scored = []
    for r in runs:
        p = seed_profile(profile, r["seed"])
        scores = pipeline.evaluate(p, Path(r["model_dir"]), "ecomgpt")
        scored.append({"family": r["family"], "size": r["size"], "seed": r["seed"], **SUITE.summarize(scores)})
    rows = [{"Model": f"{r['family']} {r['size']}", **r} for r in seed_means(scored, by=("family", "size"))]
    # A score counts only next to what a trivial predictor gets on the same published rows.
    for name, scores in trivial_scores(profile, "ecomgpt").items():
        rows.append({"Model": f"trivial: {name}", "family": "trivial", "size": "–", **SUITE.summarize(scores)})
    out = table4_frame(rows)
    out.insert(1, "family", [r["family"] for r in rows])
    out.insert(2, "size", [r["size"] for r in rows])
    return out
