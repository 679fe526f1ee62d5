"""The paper's findings as declarative claims, each checked with a paired bootstrap interval.

A claim is a contrast ``sum_i weight_i * M(arm_i)`` over per-instance scores (ecomlib.study.stats), its
text, and the paper's own Δ computed from ``paper_reference.json``. Arms are named by their keys in the
study plan (``ecomlib.study.plan``, e.g. ``EcomGPT@xs[exclude_strategies=pseudo]``; ``ClaimArms`` carries
them), never by display labels, plus ``"best trivial"`` (the trivial predictor with the best point estimate
on the claim's metric, deterministic). Claims are oriented so that the paper's direction is positive when
the paper's Δ is; a negative paper Δ means the paper found the contrast negative.

Verdicts: ``reproduced`` (the interval excludes 0 on the paper's side), ``not significant`` (it contains
0), ``reversed`` (it excludes 0 on the other side), ``not applicable`` (its test tasks are absent in this
world, or the caller marks the claim inapplicable), ``too few seeds`` (a stochastic arm has fewer than
``min_seeds`` replicates; Δ and the interval are still reported).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ecomlib.errors import DataError
from ecomlib.study.stats import StatTerm, paired_bootstrap

TRIVIAL_ARM = "best trivial"
FINDINGS_COLUMNS = ("claim", "paper_delta", "delta", "ci_low", "ci_high", "seeds", "verdict", "id", "note")
METRICS = ("rougeL_ws", "rougeL_char")


@dataclass(frozen=True)
class TaskFilter:
    level: str | None = "unseen_dataset"
    paradigm: str | None = None
    lang: str | None = None

    def select(self, scores: Mapping[str, Mapping]) -> tuple[str, ...]:
        """The tasks of one per-instance score dict that pass every set field, sorted."""
        return tuple(sorted(
            t for t, m in scores.items()
            if all(want is None or m.get(key) == want
                   for key, want in (("level", self.level), ("paradigm", self.paradigm), ("lang", self.lang)))
        ))

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in (("level", self.level), ("paradigm", self.paradigm), ("lang", self.lang)) if v]
        return ", ".join(parts) or "all tasks"


@dataclass(frozen=True)
class Term:
    weight: float
    arm: str
    tasks: TaskFilter = field(default_factory=TaskFilter)
    metric: str = "rougeL_ws"


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    paper_delta: float | None
    terms: tuple[Term, ...]
    min_seeds: int = 3
    note: str = ""


Arms = Mapping[str, Sequence[Mapping[str, Mapping]]]


# ---------------------------------------------------------------------------------------------------
# Evaluation


def _stat_terms(claim: Claim, arms: Arms) -> list[StatTerm]:
    """Each Term with its tasks resolved; every arm of the claim must hold the same instances per task."""
    out, index_of = [], {}
    for term in claim.terms:
        reps = arms[term.arm]
        tasks = term.tasks.select(reps[0])
        for r, rep in enumerate(reps):
            if term.tasks.select(rep) != tasks:
                raise DataError(f"claim {claim.id!r}: arm {term.arm!r} seed replicate {r} has other "
                                f"{term.tasks.describe()} tasks than its replicate 0")
            for t in tasks:
                idx = np.asarray(rep[t]["index"])
                seen = index_of.setdefault(t, (idx, term.arm))
                if not np.array_equal(seen[0], idx):
                    raise DataError(f"claim {claim.id!r}: task {t!r} has other instance indices in arm "
                                    f"{term.arm!r} than in arm {seen[1]!r}")
        out.append(StatTerm(term.weight, term.arm, tasks, term.metric))
    return out


def _verdict(paper_delta: float | None, lo: float, hi: float) -> str:
    sign = -1.0 if paper_delta is not None and not math.isnan(paper_delta) and paper_delta < 0 else 1.0
    lo, hi = sorted((sign * lo, sign * hi))
    if lo > 0:
        return "reproduced"
    if hi < 0:
        return "reversed"
    return "not significant"


def _round(x: float | None) -> float:
    return float("nan") if x is None or math.isnan(x) else round(float(x), 2) + 0.0  # + 0.0: no "-0.0"


def evaluate_claim(claim: Claim, arms: Arms, *, inapplicable: Mapping[str, str] | None = None,
                   deterministic: Sequence[str] = (TRIVIAL_ARM,), B: int = 2000, seed: int = 0) -> dict:
    """One findings row (columns FINDINGS_COLUMNS). The bootstrap draws each arm's seed resampling under
    its key (``stats``), so an interval never depends on a display label."""
    row = {"claim": claim.text, "paper_delta": _round(claim.paper_delta), "delta": float("nan"),
           "ci_low": float("nan"), "ci_high": float("nan"), "seeds": "", "verdict": "not applicable",
           "id": claim.id, "note": claim.note}
    names = list(dict.fromkeys(t.arm for t in claim.terms))
    stochastic = [a for a in names if a not in deterministic]
    have = [len(arms.get(a) or ()) for a in stochastic]
    row["seeds"] = f"{min(have)}/{claim.min_seeds}" if stochastic else "deterministic"
    reason = (inapplicable or {}).get(claim.id)
    missing = [a for a in names if not arms.get(a)]
    if reason is None and missing:
        raise DataError(f"claim {claim.id!r}: no scores for arm {missing[0]!r} (is it in the study plan?)")
    terms = [] if reason else _stat_terms(claim, arms)
    empty = [t.arm for t in terms if not t.tasks]
    if reason is None and empty:
        reason = f"no test task matches the filter of arm(s) {empty}"
    if reason:
        row["note"] = "; ".join(x for x in (claim.note, f"not applicable: {reason}") if x)
        return row
    res = paired_bootstrap(arms, terms, B=B, seed=seed)
    row.update(delta=_round(res["delta"]), ci_low=_round(res["ci_low"]), ci_high=_round(res["ci_high"]))
    if stochastic and min(have) < claim.min_seeds:
        row["verdict"] = "too few seeds"
    else:
        row["verdict"] = _verdict(claim.paper_delta, res["ci_low"], res["ci_high"])
    return row


def evaluate_claims(claims: Sequence[Claim], arms: Arms, *, inapplicable: Mapping[str, str] | None = None,
                    deterministic: Sequence[str] = (TRIVIAL_ARM,), B: int = 2000, seed: int = 0) -> pd.DataFrame:
    """The findings table: one row per claim, columns FINDINGS_COLUMNS. ``arms`` maps an arm key to its
    per-instance score dicts, one per seed; ``deterministic`` arms need no seed replicates."""
    known = {c.id for c in claims}
    unknown = sorted(set(inapplicable or {}) - known)
    if unknown:
        raise DataError(f"inapplicable: no claim with id(s) {unknown}")
    rows = [evaluate_claim(c, arms, inapplicable=inapplicable, deterministic=deterministic, B=B, seed=seed)
            for c in claims]
    return pd.DataFrame(rows, columns=list(FINDINGS_COLUMNS))


def best_trivial_arm(trivial: Mapping[str, Mapping[str, Mapping]], metrics: Sequence[str] = METRICS,
                     tasks: TaskFilter = TaskFilter()) -> tuple[dict, dict[str, str]]:
    """The ``"best trivial"`` arm's one replicate: for each metric, the values of the trivial predictor
    whose point estimate (mean over ``tasks`` of per-task means) is highest (ties: first in order).
    Returns (per-instance score dict, {metric: predictor name})."""
    if not trivial:
        raise DataError("best_trivial_arm: no trivial predictor scores")
    chosen: dict[str, str] = {}
    for metric in metrics:
        def point(name: str) -> float:
            sel = tasks.select(trivial[name])
            return float(np.mean([np.mean(trivial[name][t][metric]) for t in sel])) if sel else float("-inf")
        chosen[metric] = max(trivial, key=point)  # max keeps the first of equal maxima
    first = next(iter(trivial.values()))
    merged = {t: {**{k: v for k, v in m.items() if k not in metrics},
                  **{metric: trivial[chosen[metric]][t][metric] for metric in metrics}}
              for t, m in first.items()}
    return merged, chosen


# ---------------------------------------------------------------------------------------------------
# The paper's claims, as data


def _ptable(paper: dict, key: str) -> pd.DataFrame:
    t = paper["tables"][key]
    return pd.DataFrame(t["rows"], columns=t["columns"])


def _paper_deltas(paper: dict) -> dict[str, float]:
    """Each claim's paper Δ from the paper's tables (means over the paper's sizes where it has several)."""
    p4, p5, p9, p10, p11 = (_ptable(paper, k) for k in ("table4_main", "table5_cot_overall", "table9_cross_paradigm",
                                                         "table10_cross_language", "table11_prompts"))
    ud = p4["UD Rouge"]
    ecom, bloomz, bloom = (ud[p4.Model.str.startswith(p)] for p in ("EcomGPT", "BLOOMZ", "BLOOM "))
    r5 = list(p5["Rouge-L"])
    pr = dict(zip(p11["Setting"], p11["Rouge-L"]))
    drops = []
    for _, g in p9.groupby("Size", sort=False):
        full = g[g.Training == "Full"].iloc[0]
        for label, col in (("w/o CLS", "CLS"), ("w/o Ext", "EXT"), ("w/o Other", "Other")):
            drops.append(float(full[col]) - float(g[g.Training == label].iloc[0][col]))
    en_to_zh = p10[p10.Train == "+EN Δ"]["test ZH"].mean()
    zh_to_en = p10[p10.Train == "+ZH Δ"]["test EN"].mean()
    return {
        "main_vs_bloomz": ecom.mean() - bloomz.mean(), "main_vs_bloom": ecom.mean() - bloom.mean(),
        "cot_pseudo": r5[0] - r5[1], "cot_gold": r5[1] - r5[2],
        "prompt_diversity": pr["Diverse (per-dataset expert prompts)"] - pr["Narrow (one prompt per task family)"],
        "output_constraints": pr["Complete"] - pr["w/o output constraints (OC)"],
        "cross_paradigm": sum(drops) / len(drops), "cross_language": float(en_to_zh - zh_to_en),
        "model_scaling": float(ecom.iloc[-1] - ecom.iloc[0]),
    }


@dataclass(frozen=True)
class ClaimArms:
    """The arm keys the claims compare (``ecomlib.study.plan.claim_arms`` fills it from the plan).
    ``sizes``: the ladder, smallest first; ``main``: ``{(family, size): key}`` of Table 4; the others the
    single-size ablations' arms; ``fewest_label``: the display label of the fewest-tasks row (claim text)."""

    sizes: tuple[str, ...]
    main: Mapping[tuple[str, str], str]
    full: str
    no_pseudo: str
    no_cot: str
    narrow: str
    no_oc: str
    en: str
    zh: str
    no_cls: str
    no_ext: str
    no_other: str
    fewest_tasks: str
    fewest_label: str


def _mean_over_sizes(arms: ClaimArms, family_a: str, family_b: str) -> tuple[Term, ...]:
    w = 1.0 / len(arms.sizes)
    return tuple(t for s in arms.sizes for t in (Term(w, arms.main[(family_a, s)]), Term(-w, arms.main[(family_b, s)])))


def _target_claims(arms: ClaimArms) -> list[Claim]:
    out = []
    for s in arms.sizes:
        for metric, name in (("rougeL_ws", "reference Rouge-L"), ("rougeL_char", "corrected Rouge-L")):
            out.append(Claim(
                f"target_trivial_{metric}@{s}", f"EcomGPT beats the best trivial predictor at size {s} (UD {name})",
                float("nan"),
                (Term(1.0, arms.main[("EcomGPT", s)], metric=metric), Term(-1.0, TRIVIAL_ARM, metric=metric)),
                note="not in the paper: the bar a trained model must clear"))
    return out


def paper_claims(arms: ClaimArms, paper: dict) -> list[Claim]:
    """Every finding of the report as a Claim (unseen-dataset reference Rouge-L unless stated), naming the
    arms of ``arms`` by key. ``paper``: ``ecomlib.study.tables.paper_tables()``. Paper Δs are averaged over
    the paper's sizes where the paper reports several; ours are at the sizes named in each claim."""
    sizes = list(arms.sizes)
    if not sizes:
        raise DataError("paper_claims: the study plan has no model size")
    pd_ = _paper_deltas(paper)
    full = arms.full
    own = tuple(t for arm, par in ((arms.no_cls, "CLS"), (arms.no_ext, "EXT"), (arms.no_other, "OTHER"))
                for t in (Term(1 / 3, full, TaskFilter(paradigm=par)), Term(-1 / 3, arm, TaskFilter(paradigm=par))))
    zh, en = TaskFilter(lang="zh"), TaskFilter(lang="en")
    ecom = lambda s: arms.main[("EcomGPT", s)]  # noqa: E731
    claims = [
        Claim("main_vs_bloomz", "EcomGPT beats BLOOMZ-like on UD Rouge-L (mean over sizes)", pd_["main_vs_bloomz"],
              _mean_over_sizes(arms, "EcomGPT", "BLOOMZ-like")),
        Claim("main_vs_bloom", "EcomGPT beats BLOOM-like on UD Rouge-L (mean over sizes)", pd_["main_vs_bloom"],
              _mean_over_sizes(arms, "EcomGPT", "BLOOM-like")),
        Claim("cot_pseudo", "Removing pseudo-label CoT hurts (Full − w/o pseudo)", pd_["cot_pseudo"],
              (Term(1.0, full), Term(-1.0, arms.no_pseudo))),
        Claim("cot_gold", "Removing gold-label CoT as well hurts further (w/o pseudo − w/o both)", pd_["cot_gold"],
              (Term(1.0, arms.no_pseudo), Term(-1.0, arms.no_cot))),
        Claim("prompt_diversity", "Diverse prompts beat narrow prompts", pd_["prompt_diversity"],
              (Term(1.0, full), Term(-1.0, arms.narrow))),
        Claim("output_constraints", "Complete instructions beat w/o output constraints", pd_["output_constraints"],
              (Term(1.0, full), Term(-1.0, arms.no_oc))),
        Claim("cross_paradigm", "Removing a paradigm hurts its own test tasks (mean over CLS/EXT/Other)",
              pd_["cross_paradigm"], own, note="paper Δ: mean over the paper's four sizes"),
        Claim("cross_language", "EN→ZH transfer > ZH→EN transfer ((Full − ZH) on ZH tests − (Full − EN) on EN tests)",
              pd_["cross_language"],
              (Term(1.0, full, zh), Term(-1.0, arms.zh, zh), Term(-1.0, full, en), Term(1.0, arms.en, en)),
              note="paper Δ: mean over the paper's four sizes"),
        Claim("task_scaling", f"More training tasks help (Full − {arms.fewest_label})", float("nan"),
              (Term(1.0, full), Term(-1.0, arms.fewest_tasks)),
              note="paper: figure only (qualitative: more tasks → better)"),
    ]
    if len(sizes) >= 2:
        claims.append(Claim("model_scaling", f"Larger EcomGPT is better ({sizes[-1]} − {sizes[0]})", pd_["model_scaling"],
                            (Term(1.0, ecom(sizes[-1])), Term(-1.0, ecom(sizes[0])))))
    return claims + _target_claims(arms)
