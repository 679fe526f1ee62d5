"""The study's evidence: trivial reference points, the arms every claim compares, and the findings.

Everything here reads cached stages (``ecomlib.study.pipeline``): the models the notebooks trained and
their predictions. Nothing is recomputed from tables, and nothing is typed in by hand:

- ``trivial_scores``: the trivial predictors (``ecomlib.evaluation.trivial``) scored by the same scorer on
  the same held-out (or held-in) instances as every model;
- ``collect_arms``: per-instance scores of every arm a claim names (``label@size``, one replicate per seed
  of ``study.seeds``), plus the ``best trivial`` arm;
- ``findings``: ``ecomlib.study.claims.paper_claims`` evaluated on those arms (paired bootstrap over
  instances combined with seeds), with claims marked ``not applicable`` where the compared arms train on
  identical rows (e.g. no pseudo-label tasks in the open world).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecomlib.config import Profile


def _instances(profile: Profile, split: str) -> list:
    from ecomlib.study import pipeline

    return pipeline.heldout_suite(profile, split)


def trivial_predictions(profile: Profile, split: str = "heldout") -> dict[str, dict]:
    """``{predictor: {(task, index): prediction}}`` on the split's instances; majority answers come from
    the profile's own EcomInstruct train split."""
    from ecomlib.evaluation.trivial import predict_trivial
    from ecomlib.instruct import load_rows
    from ecomlib.study import pipeline

    train = load_rows(pipeline.build_data(profile), "train")
    return predict_trivial(_instances(profile, split), train, seed=profile.seed)


def trivial_scores(profile: Profile, split: str = "heldout") -> dict[str, dict]:
    """``{predictor: scores.json structure}``: each trivial predictor scored like a model."""
    from ecomlib.evaluation.scoring import score

    instances = _instances(profile, split)
    return {name: score(instances, preds) for name, preds in trivial_predictions(profile, split).items()}


def trivial_rows(profile: Profile) -> list[dict[str, Any]]:
    """Table-4 style rows (family ``trivial``) with the same summary keys as a model's, held-in included."""
    from ecomlib.study.tables import summarize, summarize_heldin

    held_in = trivial_scores(profile, "heldin") if profile.data.heldin_per_task else {}
    rows = []
    for name, scores in trivial_scores(profile).items():
        row = {"Model": f"trivial: {name}", "family": "trivial", "size": "–", **summarize(scores)}
        if name in held_in:
            row.update(summarize_heldin(held_in[name]))
        rows.append(row)
    return rows


@lru_cache(maxsize=None)
def _per_instance(eval_dir: str, instances_key: tuple) -> dict:
    from ecomlib.evaluation.per_instance import instance_scores
    from ecomlib.io import read_jsonl

    instances = _INSTANCES[instances_key]
    preds = {(r["task"], r["index"]): r["prediction"] for r in read_jsonl(Path(eval_dir) / "predictions.jsonl")}
    return instance_scores(instances, preds)


_INSTANCES: dict[tuple, list] = {}


def model_instance_scores(profile: Profile, model_dir: Path, split: str = "heldout") -> dict:
    """Per-instance scores of one cached model on one split (memoised per evaluation folder)."""
    from ecomlib.study import pipeline

    eval_dir = pipeline.evaluation_dir(profile, model_dir, split)
    key = (split, str(pipeline.build_data(profile)), profile.eval.n_per_task)
    if key not in _INSTANCES:
        _INSTANCES[key] = _instances(profile, split)
    return _per_instance(str(eval_dir), key)


def _rows_digest(profile: Profile, selection: dict) -> str:
    """Which training rows a variant trains on: two arms with equal digests train on identical data."""
    from ecomlib.instruct import Selection, load_rows, select
    from ecomlib.study import pipeline

    rows = select(load_rows(pipeline.build_data(profile), "train"), Selection(**selection))
    blob = "\n".join(f"{r['task']}\t{r['index']}\t{r['prompt']}" for r in rows)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _main_arms(profile: Profile, arms: dict) -> None:
    from ecomlib.study import pipeline
    from ecomlib.study.experiments import Variant, variant_profile

    for seed in profile.study.seeds:
        p = variant_profile(profile, Variant("main", seed=seed))
        for s in profile.model.ladder:
            for label, model in (("BLOOM-like", lambda: pipeline.base_model(p, s.name, "pretrain")),
                                 ("BLOOMZ-like", lambda: pipeline.base_model(p, s.name, "general")),
                                 ("EcomGPT", lambda: pipeline.finetune(p, s.name))):
                arms.setdefault(f"{label}@{s.name}", {})[seed] = model_instance_scores(p, model())


def variant_arms(profile: Profile, variants, split: str = "heldout", arms: dict | None = None,
                 digests: dict | None = None) -> dict[str, dict[int, dict]]:
    """``{label@size: {seed: per-instance scores}}`` of the given experiment variants (cached models)."""
    from ecomlib.instruct import Selection
    from ecomlib.study import experiments as E
    from ecomlib.study import pipeline

    arms = {} if arms is None else arms
    for v in variants:
        p = E.variant_profile(profile, v)
        size = v.size or p.model.default_size
        key = f"{v.label}@{size}"
        model_dir = pipeline.finetune(p, size, Selection(**v.selection))
        arms.setdefault(key, {})[p.train.seed] = model_instance_scores(p, model_dir, split)
        if digests is not None and key not in digests:
            digests[key] = _rows_digest(p, v.selection)
    return arms


def best_trivial_replicate(profile: Profile, split: str = "heldout") -> dict:
    """The ``best trivial`` arm's replicate: per metric, the trivial predictor with the best point estimate."""
    from ecomlib.evaluation.per_instance import instance_scores
    from ecomlib.study.claims import best_trivial_arm

    instances = _instances(profile, split)
    trivial = {name: instance_scores(instances, preds) for name, preds in trivial_predictions(profile, split).items()}
    return best_trivial_arm(trivial)[0]


def collect_arms(profile: Profile, split: str = "heldout") -> tuple[dict[str, list], dict[str, str]]:
    """``({arm: [per-instance scores per seed]}, {arm: training-rows digest})`` for every arm the claims
    name, from the cached models of the main table and of the seeded experiments. Models missing from
    the cache are trained (so this also works on its own, at the cost of the training)."""
    from ecomlib.study import experiments as E
    from ecomlib.study.claims import TRIVIAL_ARM

    arms: dict[str, dict[int, dict]] = {}
    digests: dict[str, str] = {}
    if split == "heldout":
        _main_arms(profile, arms)
    for experiment in (E.cot_overall, E.prompts, E.cross_language, E.cross_paradigm, E.task_scaling):
        variant_arms(profile, experiment(profile), split, arms, digests)
    out = {k: [reps[s] for s in sorted(reps)] for k, reps in sorted(arms.items())}
    out[TRIVIAL_ARM] = [best_trivial_replicate(profile, split)]
    return out, digests


def arm_intervals(profile: Profile, variants, split: str = "heldout", metric: str = "rougeL_ws",
                  level: str | None = "unseen_dataset") -> pd.DataFrame:
    """Per arm of ``variants``: the mean over seeds of the task-averaged ``metric`` and its 95% bootstrap
    interval (instances and seeds resampled), for error bars. Held-in: ``split="heldin", level=None``."""
    from ecomlib.study.claims import TaskFilter
    from ecomlib.study.stats import StatTerm, paired_bootstrap

    arms = variant_arms(profile, variants, split)
    rows = []
    for key, reps in arms.items():
        replicates = [reps[s] for s in sorted(reps)]
        tasks = TaskFilter(level=level).select(replicates[0])
        if not tasks:
            continue
        r = paired_bootstrap({key: replicates}, [StatTerm(1.0, key, tasks, metric)], seed=profile.seed)
        label, size = key.rsplit("@", 1)
        rows.append({"label": label, "size": size, "mean": round(r["delta"], 2), "ci_low": round(r["ci_low"], 2),
                     "ci_high": round(r["ci_high"], 2), "n_seeds": len(replicates)})
    return pd.DataFrame(rows)


def findings(profile: Profile) -> pd.DataFrame:
    """The findings table (``findings.csv``): every claim with Δ, its 95% interval, seeds and verdict."""
    from ecomlib.study.claims import evaluate_claims, paper_claims
    from ecomlib.study.tables import paper_tables

    sizes = [s.name for s in profile.model.ladder]
    fewest = f"{min(profile.study.task_counts)} tasks"
    claims = paper_claims(sizes, profile.model.default_size, paper_tables(), fewest_tasks=fewest)
    arms, digests = collect_arms(profile)
    return evaluate_claims(claims, arms, inapplicable=inapplicable_claims(claims, digests))


def inapplicable_claims(claims, digests: dict[str, str]) -> dict[str, str]:
    """``{claim id: reason}`` for the claims that do not exist in this world: some part of the contrast
    (the terms on one set of test tasks and metric) compares arms that train on identical rows, so it is
    0 by construction. E.g. the open world has no pseudo-label tasks: "w/o pseudo-label CoT" trains on
    Full's rows, and any contrast of the two measures nothing. A variant whose removed family is empty
    is the same case. Arms without a digest (the main table's models, the trivial arm) are left alone."""
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
                out[c.id] = (f"{' and '.join(dict.fromkeys(arms))} train on identical rows in this world "
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
    from ecomlib.evaluation.per_instance import instance_scores
    from ecomlib.study.claims import TaskFilter, best_trivial_arm
    from ecomlib.study.stats import StatTerm, paired_bootstrap

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
