"""The study's evidence: trivial reference points, per-instance scores and the claims' applicability.

Everything here reads cached stages (``ecomlib.study.pipeline``): the models the plan trained and their
predictions. Nothing is recomputed from tables, and nothing is typed in by hand:

- ``trivial_scores``: the trivial predictors (``ecomlib.evaluation.trivial``) scored by the same scorer on
  the same held-out (or held-in) instances as every model;
- ``model_instance_scores``: per-instance scores of one cached model, what a claim's bootstrap resamples
  (``ecomlib.study.results.findings`` reads every arm of the plan's claims through it), and
  ``best_trivial_replicate``, the ``best trivial`` arm;
- ``inapplicable_claims``: claims whose compared arms train on identical rows in this world (e.g. no
  pseudo-label tasks in the open world), from ``rows_digest``;
- ``trivial_gaps``: one model against the best trivial predictor of each group of tasks.

Imports: ``ecomlib.study.pipeline`` (cached stages), ``ecomlib.study.claims`` / ``stats`` (the bootstrap),
``ecomlib.evaluation`` and ``ecomlib.instruct``; never ``plan`` or ``results`` (they import it).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ecomlib.config import Profile
from ecomlib.evaluation.per_instance import instance_scores
from ecomlib.evaluation.scoring import score
from ecomlib.evaluation.trivial import predict_trivial
from ecomlib.instruct import Selection, load_rows, select
from ecomlib.io import read_jsonl
from ecomlib.study import pipeline
from ecomlib.study.claims import TaskFilter, best_trivial_arm
from ecomlib.study.stats import StatTerm, paired_bootstrap


def _instances(profile: Profile, split: str) -> list:
    return pipeline.heldout_suite(profile, split)


def trivial_predictions(profile: Profile, split: str = "heldout") -> dict[str, dict]:
    """``{predictor: {(task, index): prediction}}`` on the split's instances; majority answers come from
    the profile's own EcomInstruct train split."""
    train = load_rows(pipeline.build_data(profile), "train")
    return predict_trivial(_instances(profile, split), train, seed=profile.seed)


def trivial_scores(profile: Profile, split: str = "heldout") -> dict[str, dict]:
    """``{predictor: scores.json structure}``: each trivial predictor scored like a model."""
    instances = _instances(profile, split)
    return {name: score(instances, preds) for name, preds in trivial_predictions(profile, split).items()}


@lru_cache(maxsize=None)
def _per_instance(eval_dir: str, instances_key: tuple) -> dict:
    instances = _INSTANCES[instances_key]
    preds = {(r["task"], r["index"]): r["prediction"] for r in read_jsonl(Path(eval_dir) / "predictions.jsonl")}
    return instance_scores(instances, preds)


_INSTANCES: dict[tuple, list] = {}


def model_instance_scores(profile: Profile, model_dir: Path, split: str = "heldout") -> dict:
    """Per-instance scores of one cached model on one split (memoised per evaluation folder)."""
    eval_dir = pipeline.evaluation_dir(profile, model_dir, split)
    key = (split, str(pipeline.build_data(profile)), profile.eval.n_per_task)
    if key not in _INSTANCES:
        _INSTANCES[key] = _instances(profile, split)
    return _per_instance(str(eval_dir), key)


def rows_digest(profile: Profile, selection: Selection) -> str:
    """Which training rows an arm trains on: two arms with equal digests train on identical data."""
    rows = select(load_rows(pipeline.build_data(profile), "train"), selection)
    blob = "\n".join(f"{r['task']}\t{r['index']}\t{r['prompt']}" for r in rows)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def best_trivial_replicate(profile: Profile, split: str = "heldout") -> dict:
    """The ``best trivial`` arm's replicate: per metric, the trivial predictor with the best point estimate."""
    instances = _instances(profile, split)
    trivial = {name: instance_scores(instances, preds) for name, preds in trivial_predictions(profile, split).items()}
    return best_trivial_arm(trivial)[0]


def inapplicable_claims(claims, digests: dict[str, str], names: dict[str, str] | None = None) -> dict[str, str]:
    """``{claim id: reason}`` for the claims that do not exist in this world: some part of the contrast
    (the terms on one set of test tasks and metric) compares arms that train on identical rows, so it is
    0 by construction. E.g. the open world has no pseudo-label tasks: "w/o pseudo-label CoT" trains on
    Full's rows, and any contrast of the two measures nothing. A variant whose removed family is empty
    is the same case. Arms without a digest (the main table's other sizes, the trivial arm) are left
    alone. ``names``: how the reason names an arm (default: its key)."""
    names = names or {}
    out = {}
    for c in claims:
        parts: dict[tuple, dict[str, float]] = {}
        for t in c.terms:
            if t.arm in digests:
                part = parts.setdefault((t.tasks, t.metric), {})
                part[digests[t.arm]] = part.get(digests[t.arm], 0.0) + t.weight
        for (tasks, _), weights in parts.items():
            arms = [t.arm for t in c.terms if t.tasks == tasks and t.arm in digests]
            if len(set(arms)) >= 2 and all(abs(w) < 1e-9 for w in weights.values()):
                shown = [names.get(a, a) for a in dict.fromkeys(arms)]
                out[c.id] = (f"{' and '.join(shown)} train on identical rows in this world "
                             f"(nothing is removed), so the contrast on {tasks.describe()} is 0 by construction")
                break
    return out


# The filters the trivial-gap table reports: the UD average, then per paradigm and per language (issue #25).
GAP_FILTERS = (("UD", {}), ("UD CLS", {"paradigm": "CLS"}), ("UD EXT", {"paradigm": "EXT"}),
               ("UD GEN", {"paradigm": "GEN"}), ("UD OTHER", {"paradigm": "OTHER"}),
               ("UD en", {"lang": "en"}), ("UD zh", {"lang": "zh"}), ("unseen tasks", {"level": "unseen_task"}))


def trivial_gaps(profile: Profile, replicates: list[dict], split: str = "heldout",
                 metrics=("rougeL_ws", "rougeL_char")) -> pd.DataFrame:
    """One model (``replicates``: its per-instance scores, one per seed) against the best trivial predictor
    *of each row's tasks*, chosen by point estimate on those tasks (the floor is as strong as it can be):
    the gap with its 95% paired-bootstrap interval (instances and seeds resampled). Held-in rows use every
    task (``split="heldin"``); held-out rows are ``GAP_FILTERS``."""
    instances = _instances(profile, split)
    trivial = {name: instance_scores(instances, preds) for name, preds in trivial_predictions(profile, split).items()}
    filters = (("held-in", {"level": None}),) if split == "heldin" else GAP_FILTERS
    rows = []
    for label, spec in filters:
        f = TaskFilter(**{"level": "unseen_dataset", **spec})
        tasks = f.select(replicates[0])
        if not tasks:
            continue
        floor, chosen = best_trivial_arm(trivial, metrics, f)
        for metric in metrics:
            arms = {"model": replicates, "trivial": [floor]}
            r = paired_bootstrap(arms, [StatTerm(1.0, "model", tasks, metric), StatTerm(-1.0, "trivial", tasks, metric)],
                                 seed=profile.seed)
            model = float(np.mean([np.mean([np.mean(rep[t][metric]) for t in tasks]) for rep in replicates]))
            rows.append({"tasks": label, "n_tasks": len(tasks), "metric": metric, "model": round(model, 2),
                         "best_trivial": chosen[metric], "trivial": round(model - r["delta"], 2),
                         "gap": round(r["delta"], 2), "ci_low": round(r["ci_low"], 2), "ci_high": round(r["ci_high"], 2),
                         "n_seeds": len(replicates)})
    return pd.DataFrame(rows)
