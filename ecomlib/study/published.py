"""The paper's published evaluation folders as a split of the open-world study.

When ``ECOMLIB_DATA_DIR`` holds some of the 12 published test folders (``Alibaba-NLP/EcomGPT/...``), the
open-world study scores every model on them as well as on its own held-out split (split ``"ecomgpt"`` of
``ecomlib.study.pipeline``), and the report puts *those* numbers beside the paper's Table 4. Folders that
are absent are named, never guessed. Reading the folders is ``ecomlib.evaluation.suites``' job; this
module only decides which are present and lays out the table.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd


def published_root() -> Path | None:
    """The ``ecom_instruct_v1`` folder under ``ECOMLIB_DATA_DIR``, or None when there is none."""
    from ecomlib.evaluation.suites import ECOMGPT_SUBDIR

    d = os.environ.get("ECOMLIB_DATA_DIR")
    root = Path(d) / ECOMGPT_SUBDIR if d else None
    return root if root is not None and root.is_dir() else None


def published_status() -> dict[str, list[str]]:
    """``{"present": [...], "absent": [...]}``: the paper's 12 test folders found (or not) in the data dir."""
    from ecomlib.evaluation.suites import ECOMGPT_TEST_TASKS, find_ecomgpt_tasks

    root = published_root()
    found = find_ecomgpt_tasks(root) if root is not None else {}
    return {"present": [t for t in ECOMGPT_TEST_TASKS if t in found],
            "absent": [t for t in ECOMGPT_TEST_TASKS if t not in found]}


def source() -> dict[str, dict[str, str]]:
    """What the split reads, for the evaluation cache key: each present folder's files and their sha256
    (verified against the pinned ones first), so a changed file is scored afresh whatever its folder's name."""
    from ecomlib.evaluation.suites import pinned_suite_files
    from ecomlib.io import sha256_file
    from ecomlib.sources.verify import verify_if_registered

    status = published_status()
    out: dict[str, dict[str, str]] = {}
    for path in pinned_suite_files("ecomgpt", published_root(), status["present"]) if status["present"] else []:
        verify_if_registered(path)
        out.setdefault(path.parent.name, {})[path.name] = sha256_file(path)
    return out


def applies(profile) -> bool:
    """Whether the study scores the published suite: the open world, with at least one folder present."""
    return profile.data.world == "open" and bool(published_status()["present"])


def published_instances(profile) -> list:
    """The present published test folders' instances (``eval.n_per_task`` rows per task; seeded
    candidate sampling), or [] when none is present."""
    from ecomlib.evaluation import load_suite

    status = published_status()
    if not status["present"]:
        return []
    return load_suite("ecomgpt", published_root(), n_per_task=profile.eval.n_per_task, seed=profile.seed,
                      tasks=status["present"])


def status_note(status: dict[str, list[str]] | None = None) -> str:
    """One sentence naming how many published folders were scored and which are absent."""
    status = status or published_status()
    n, total = len(status["present"]), len(status["present"]) + len(status["absent"])
    absent = f"; absent from ECOMLIB_DATA_DIR: {', '.join(status['absent'])}" if status["absent"] else ""
    return f"scored on {n} of the paper's {total} published test folders ({', '.join(status['present']) or 'none'}){absent}"


def published_table4(profile, runs: list[dict]) -> pd.DataFrame:
    """Table 4's layout (reference-compatible metrics) on the published folders: one row per family and
    size of ``runs`` (notebook 03's trained models, ``{"family", "size", "seed", "model_dir"}``), mean over
    seeds, then the trivial predictors scored on the same rows. Columns of task kinds absent from the present
    folders are empty (None)."""
    from ecomlib.study import pipeline
    from ecomlib.study.evidence import trivial_scores
    from ecomlib.study.plan import seed_profile
    from ecomlib.study.showcase import table4_frame
    from ecomlib.study.tables import seed_means, summarize

    scored = []
    for r in runs:
        p = seed_profile(profile, r["seed"])
        scores = pipeline.evaluate(p, Path(r["model_dir"]), "ecomgpt")
        scored.append({"family": r["family"], "size": r["size"], "seed": r["seed"], **summarize(scores)})
    rows = [{"Model": f"{r['family']} {r['size']}", **r} for r in seed_means(scored, by=("family", "size"))]
    # A score counts only next to what a trivial predictor gets on the same published rows.
    for name, scores in trivial_scores(profile, "ecomgpt").items():
        rows.append({"Model": f"trivial: {name}", "family": "trivial", "size": "–", **summarize(scores)})
    out = table4_frame(rows)
    out.insert(1, "family", [r["family"] for r in rows])
    out.insert(2, "size", [r["size"] for r in rows])
    return out
