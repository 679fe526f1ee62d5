"""Running a study plan: every arm x seed trained and scored through the cached stages, into one long table.

``run_plan(plan)`` trains (or finds in the cache) every model of ``ecomlib.study.plan``, scores it on every
suite that applies, and returns the *results table*: one row per number of each ``scores.json``'s per-task
metrics, columns ``RESULT_COLUMNS`` (arm key, label, family, size, seed, suite, task, level, language,
paradigm, task_type, metric, value), the trivial predictors included as family ``trivial`` (scored on the
same suites). Everything the study reports is a filter of it: ``table4`` (notebook 03's main table),
``heldin_table``, ``experiment_rows`` (the rows notebooks 04-08 tabulate), and the claims' per-instance
scores are read through the same arm keys from the cached evaluation folders (``findings``).

Imports: ``ecomlib.study`` modules below it (plan, pipeline, evidence, claims, tables) and the evaluation
summary helpers; nothing imports it but the notebooks, ``ecomlib study`` and ``experiments``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import warnings
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from ecomlib.config import Profile
from ecomlib.errors import DataError
from ecomlib.evaluation.registry import get_suite, suites_for
from ecomlib.evaluation.summary import summarize, summarize_heldin
from ecomlib.io import atomic_write_text
from ecomlib.schema import PARADIGM_OF_TASK_TYPE

# tqdm.auto in a kernel without ipywidgets warns once with a path of this machine; the bars still work.
warnings.filterwarnings("ignore", message="IProgress not found")
from ecomlib.progress import terminal_only, tqdm  # noqa: E402  (bars in the terminal, one line in a notebook)
from ecomlib.study import evidence, pipeline  # noqa: E402
from ecomlib.study.claims import TRIVIAL_ARM, evaluate_claims  # noqa: E402
from ecomlib.study.plan import ALL_SUITES, STAGE_OF_FAMILY, Arm, Experiment, Plan  # noqa: E402
from ecomlib.study.showcase import TABLE4_KEYS, table4_frame  # noqa: E402
from ecomlib.study.tables import seed_means  # noqa: E402

RESULT_COLUMNS = ("arm", "label", "family", "size", "seed", "suite", "task", "level", "language", "paradigm",
                  "task_type", "metric", "value")
TASK_FIELDS = {"level": "level", "lang": "language", "task_type": "task_type"}  # scores.json field -> column
TRIVIAL = "trivial"


def _suite_names(profile: Profile) -> list[str]:
    """The suites that apply to ``profile``, in scoring order (``ecomlib.evaluation.registry``)."""
    return [s.name for s in suites_for(profile)]


def arm_model(profile: Profile, arm: Arm, seed: int, progress: bool = False) -> Path:
    """The cached model of one replicate of ``arm`` (trained on first use)."""
    p = arm.profile(profile, seed)
    if arm.family in STAGE_OF_FAMILY:
        return pipeline.base_model(p, arm.size, STAGE_OF_FAMILY[arm.family], progress=progress)
    return pipeline.finetune(p, arm.size, arm.selection_obj(), progress=progress)


def _task_rows(scores: dict, head: dict) -> list[dict]:
    """One results row per numeric per-task field of one ``scores.json`` (tasks and metrics sorted)."""
    out = []
    for task, m in sorted(scores.get("tasks", {}).items()):
        info = {col: m.get(f) for f, col in TASK_FIELDS.items()}
        info["paradigm"] = PARADIGM_OF_TASK_TYPE.get(m.get("task_type"))
        for metric, value in sorted(m.items()):
            if metric in TASK_FIELDS or not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            out.append({**head, "task": task, **info, "metric": metric, "value": float(value)})
    return out


def _suites(plan: Plan, suites: tuple[str, ...] | None) -> list[str]:
    applicable = _suite_names(plan.profile)
    return applicable if suites is ALL_SUITES else [s for s in applicable if s in suites]


def run_plan(plan: Plan, progress: bool = True) -> pd.DataFrame:
    """The results table of ``plan`` (module doc): every (arm, seed) trained and scored through the cached
    stages (a rerun reads the cache), then the trivial predictors on the suites the models were scored on."""
    profile, labels, rows, scored = plan.profile, plan.labels(), [], set()
    runs = plan.runs()
    bar = tqdm(runs, desc="arms", disable=not progress)
    for arm, seed, suites in bar:
        if progress:
            bar.set_postfix_str(f"{arm.key} (seed {seed})")
        p = arm.profile(profile, seed)
        # each model trains and evaluates for minutes: its stages' bars show on the terminal only
        with terminal_only():
            model_dir = arm_model(profile, arm, seed, progress)
            for suite in _suites(plan, suites):
                scored.add(suite)
                head = {"arm": arm.key, "label": labels[arm.key], "family": arm.family, "size": arm.size,
                        "seed": seed, "suite": suite}
                rows += _task_rows(pipeline.evaluate(p, model_dir, suite, progress=progress), head)
    # the trivial predictors on the suites the models were scored on, the floor every score is read against
    rows += trivial_results(profile, [s for s in _suite_names(profile) if s in scored])
    df = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    return df.astype({"seed": "Int64"})


def trivial_results(profile: Profile, suites: Iterable[str]) -> list[dict]:
    """Results rows of the trivial predictors (family ``trivial``, no seed) on ``suites``; ChineseEcomQA's own
    trivial predictors are in its table (``ecomlib.study.chinese_ecomqa``)."""
    rows = []
    for suite in suites:
        if suite == "chinese_ecomqa":
            continue
        for name, scores in evidence.trivial_scores(profile, suite).items():
            head = {"arm": f"{TRIVIAL}:{name}", "label": f"trivial: {name}", "family": TRIVIAL, "size": "–",
                    "seed": None, "suite": suite}
            rows += _task_rows(scores, head)
    return rows


def write_results(results: pd.DataFrame, path: Path) -> None:
    """The results table as CSV (floats written exactly; ``read_results`` reads them back bit for bit)."""
    atomic_write_text(Path(path), results.to_csv(index=False))


def read_results(path: Path) -> pd.DataFrame:
    """A results table written by ``write_results`` (or ``ecomlib study --all``); DataError if it is not one."""
    df = pd.read_csv(path, float_precision="round_trip", dtype={"seed": "Int64", "size": str}, keep_default_na=False,
                     na_values={"value": [""], "level": [""], "language": [""], "paradigm": [""], "task_type": [""]})
    missing = [c for c in RESULT_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{path}: not a results table (no column {missing[0]!r}; expected {list(RESULT_COLUMNS)})")
    return df


# ---------------------------------------------------------------------------------------------------
# Filters: the scores.json of one (arm, seed, suite), summary rows, and the tables the notebooks save


def _none(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v


def scores_index(results: pd.DataFrame) -> dict[tuple, dict]:
    """``{(arm, seed, suite): {"tasks": {task: {level, lang, task_type, metric: value}}}}``: each scored model's
    per-task numbers as ``scores.json`` holds them (what ``summarize`` reads); seed None for trivial rows."""
    out: dict[tuple, dict] = {}
    for r in results.itertuples(index=False):
        key = (r.arm, _none(r.seed), r.suite)
        tasks = out.setdefault(key, {"tasks": {}})["tasks"]
        if r.task not in tasks:
            tasks[r.task] = {f: _none(getattr(r, col)) for f, col in TASK_FIELDS.items()}
        tasks[r.task][r.metric] = _none(r.value)
    return out


def summary(index: dict, arm: str, seed: int | None, suites: Iterable[str] = ("heldout", "heldin")) -> dict[str, Any]:
    """The summary numbers of one model (``tables.summarize`` on held-out, ``summarize_heldin`` on held-in)."""
    out: dict[str, Any] = {}
    if "heldout" in suites and (arm, seed, "heldout") in index:
        out.update(summarize(index[(arm, seed, "heldout")]))
    if "heldin" in suites and (arm, seed, "heldin") in index:
        out.update(summarize_heldin(index[(arm, seed, "heldin")]))
    return out


def main_rows(results: pd.DataFrame, plan: Plan) -> list[dict]:
    """Table 4's rows: per family and size the mean over seeds of the summary numbers (``Model``, ``family``,
    ``size``, ``n_seeds``, ``<key>_sd``), in plan order, then the trivial predictors (family ``trivial``)."""
    index = scores_index(results)
    runs = [{"family": r.arm.family, "size": r.arm.size, "seed": r.seed, **summary(index, r.arm.key, r.seed)}
            for r in plan.main]
    rows = [{"Model": f"{r['family']} {r['size']}", **r} for r in seed_means(runs, by=("family", "size"))]
    for arm in dict.fromkeys(a for a, s, _ in index if s is None):
        name = arm.split(":", 1)[1]
        if (arm, None, "heldout") in index:
            rows.append({"Model": f"trivial: {name}", "family": TRIVIAL, "size": "–", **summary(index, arm, None)})
    return rows


def table4(results: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Notebook 03's ``table4_main``: the reference-compatible Table-4 columns, family / size / n_seeds, the
    corrected columns and the seed sd of UD Rouge-L; trivial rows last."""
    rows = main_rows(results, plan)
    out = table4_frame(rows)
    cor = table4_frame(rows, corrected=True)
    out.insert(1, "family", [r["family"] for r in rows])
    out.insert(2, "size", [r["size"] for r in rows])
    out.insert(3, "n_seeds", [r.get("n_seeds", 1) for r in rows])
    for col in TABLE4_KEYS:
        out[f"{col} (corrected)"] = cor[col]
    out["UD Rouge sd"] = [r.get("UD_rougeL_sd") for r in rows]
    out["UD Rouge (corrected) sd"] = [r.get("UD_rougeL_c_sd") for r in rows]
    return out


GAP_METRICS = {"rougeL_ws": "", "rougeL_char": " (corrected)"}  # trivial_gaps metric -> column suffix


def heldin_table(results: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Notebook 03's ``heldin``: held-in Rouge-L / micro-F1 beside held-out UD Rouge-L, per Table-4 row; for
    EcomGPT rows also the gap to the best trivial predictor of the held-in tasks with its 95% interval
    (``trivial_gap_table``; seeds and instances resampled)."""
    gaps = trivial_gap_table(plan, splits=("heldin",))
    out = []
    for r in main_rows(results, plan):
        row = {"Model": r["Model"], "family": r["family"], "size": r["size"], "n_seeds": r.get("n_seeds", 1),
               "held-in Rouge": r.get("HI_rougeL"), "held-in Rouge sd": r.get("HI_rougeL_sd"),
               "held-in Rouge (corrected)": r.get("HI_rougeL_c"), "held-in miF1": r.get("HI_miF1"),
               "held-out UD Rouge": r.get("UD_rougeL"), "held-out UD Rouge (corrected)": r.get("UD_rougeL_c")}
        for metric, suffix in GAP_METRICS.items():
            g = gaps[(gaps["size"] == r["size"]) & (gaps["metric"] == metric)] if r["family"] == "EcomGPT" else gaps[:0]
            row[f"held-in gap to best trivial{suffix}"] = float(g["gap"].iloc[0]) if len(g) else None
            row[f"gap{suffix} 95% low"] = float(g["ci_low"].iloc[0]) if len(g) else None
            row[f"gap{suffix} 95% high"] = float(g["ci_high"].iloc[0]) if len(g) else None
        out.append(row)
    return pd.DataFrame(out)


def trivial_gap_table(plan: Plan, splits: tuple[str, ...] = ("heldin", "heldout")) -> pd.DataFrame:
    """EcomGPT at every size of Table 4 against the best trivial predictor of each group of tasks (held-in:
    all of them; held-out: unseen datasets, per paradigm, per language, unseen tasks), every seed:
    ``evidence.trivial_gaps`` with a ``size`` and a ``split`` column. A split that does not apply is skipped."""
    frames = []
    for split in splits:
        if not get_suite(split).applies(plan.profile):
            continue
        for size in dict.fromkeys(r.arm.size for r in plan.main if r.arm.family == "EcomGPT"):
            key = next(r.arm.key for r in plan.main if r.arm.family == "EcomGPT" and r.arm.size == size)
            reps = replicates(plan, [key], plan.main, split)[key]
            frame = evidence.trivial_gaps(plan.profile, reps, split)
            frames.append(frame.assign(size=size, split=split))
    cols = ["size", "split", "tasks", "n_tasks", "metric", "model", "best_trivial", "trivial", "gap", "ci_low",
            "ci_high", "n_seeds"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def trained_tokens(model_dir: Path) -> int | None:
    """Tokens the fine-tune processed (its result.json ``tokens.total``), the x-axis of compute scaling."""
    try:
        return int(json.loads((Path(model_dir) / "result.json").read_text())["tokens"]["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def experiment_rows(results: pd.DataFrame, plan: Plan, experiment: Experiment) -> list[dict]:
    """One row of summary numbers per row of ``experiment`` (label, group, size, seed, selection, the
    summary keys of the suites it is scored on, train_tokens, model_dir): what notebooks 04-08 tabulate."""
    index = scores_index(results)
    suites = ("heldout", "heldin") if experiment.suites is ALL_SUITES else experiment.suites
    out = []
    for r in experiment.rows:
        model_dir = arm_model(plan.profile, r.arm, r.seed)  # cached: only its folder is looked up
        out.append({"label": r.label, "group": r.group, "size": r.arm.size, "seed": r.seed,
                    "selection": dataclasses.asdict(r.arm.selection_obj()), **summary(index, r.arm.key, r.seed, suites),
                    "train_tokens": trained_tokens(model_dir), "model_dir": str(model_dir)})
    return out


def main_runs(plan: Plan) -> list[dict]:
    """``{"family", "size", "seed", "model_dir"}`` of Table 4's models (what the published-suite tables read)."""
    return [{"family": r.arm.family, "size": r.arm.size, "seed": r.seed,
             "model_dir": str(arm_model(plan.profile, r.arm, r.seed))} for r in plan.main]


# ---------------------------------------------------------------------------------------------------
# The findings: the plan's claims on per-instance scores of its arms


def replicates(plan: Plan, keys: Iterable[str], rows: Iterable | None = None,
               split: str = "heldout") -> dict[str, list]:
    """``{arm key: [per-instance scores, one per seed in ascending order]}`` from the cached evaluations; the
    seeds are those of ``rows`` (default: every row of the plan) that name the arm."""
    rows = [*plan.main, *(r for e in plan.experiments.values() for r in e.rows)] if rows is None else list(rows)
    seeds: dict[str, set] = {}
    arms = {}
    for r in rows:
        seeds.setdefault(r.arm.key, set()).add(r.seed)
        arms[r.arm.key] = r.arm
    out = {}
    for key in keys:
        if key not in arms:
            raise DataError(f"study plan: no arm {key!r}")
        out[key] = [evidence.model_instance_scores(arms[key].profile(plan.profile, s),
                                                   arm_model(plan.profile, arms[key], s), split)
                    for s in sorted(seeds[key])]
    return out


def findings(plan: Plan) -> pd.DataFrame:
    """The findings table (``findings.csv``): every claim of the plan with Δ, its 95% interval, seeds and
    verdict; per-instance scores read through the claims' arm keys."""
    keys = list(dict.fromkeys(t.arm for c in plan.claims for t in c.terms if t.arm != TRIVIAL_ARM))
    # replicates: the seeds Table 4 and the claims' own experiments train (a single-seed row of another
    # experiment, e.g. "lr 0.003" = Full when train.seed is not a study seed, adds none)
    rows = [*plan.main, *(r for n in CLAIM_EXPERIMENTS if n in plan.experiments for r in plan.experiments[n].rows)]
    arms = replicates(plan, keys, rows)
    arms[TRIVIAL_ARM] = [evidence.best_trivial_replicate(plan.profile)]
    default = plan.profile.model.default_size
    # the rows digest ignores the size, so only the default size's fine-tunes (the ablations) get one
    digests = {k: evidence.rows_digest(a.profile(plan.profile, plan.profile.train.seed), a.selection_obj())
               for k, a in plan.arms().items() if k in keys and a.family == "EcomGPT" and a.size == default}
    names = _claim_names(plan)
    inapplicable = evidence.inapplicable_claims(plan.claims, digests, names)
    # shared bases (train.base_seed) are one trained model each: fixed, like the trivial floor
    fixed = [k for k, a in plan.arms().items() if a.family != "EcomGPT"] if plan.profile.train.base_seed is not None else []
    return evaluate_claims(plan.claims, arms, inapplicable=inapplicable, deterministic=(TRIVIAL_ARM, *fixed))


CLAIM_EXPERIMENTS = ("cot_overall", "prompts", "cross_language", "cross_paradigm", "task_scaling")


def _claim_names(plan: Plan) -> dict[str, str]:
    """How a findings note names an arm: ``label@size`` by its row in the experiments the claims compare
    (``Full@xs``, ``w/o pseudo-label CoT@xs``), as the findings table always has."""
    names: dict[str, str] = {}
    for name in CLAIM_EXPERIMENTS:
        for r in plan.experiments[name].rows if name in plan.experiments else ():
            names.setdefault(r.arm.key, f"{r.label}@{r.arm.size}")
    return names
