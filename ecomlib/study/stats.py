"""Paired bootstrap intervals of a contrast between arms, over held-out instances and training seeds.

An *arm* (a trained model, or a trivial predictor) is a list of replicates, one per training seed, each a
per-instance score dict as ``ecomlib.evaluation.per_instance.instance_scores`` returns
(``{task: {metric: ndarray ordered by index, ...}}``). A contrast is ``delta = sum_i w_i * M(arm_i)`` with

    M(arm) = mean over the arm's seeds of ( mean over the term's tasks of ( mean over instances ) ),

i.e. exactly how a table's unseen-dataset average is computed, then averaged over seeds.

Each bootstrap replicate resamples, with replacement,
  * the instances of every task: the SAME draw for every arm (all arms score the same instances, so the
    comparison is paired and instance difficulty cancels out), and
  * the seeds of every arm: one draw per arm, shared by all terms of that arm (the same trained models);
    an arm with a single replicate keeps it.
The interval is the percentile interval of the replicate deltas. Draws come from RNGs seeded by
(seed, task) and (seed, arm), so a result does not depend on the order of arms, terms or tasks.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ecomlib.errors import ConfigError, DataError

Replicate = Mapping[str, Mapping[str, object]]  # task -> {metric: per-instance values, ...}


@dataclass(frozen=True)
class StatTerm:
    weight: float
    arm: str
    tasks: tuple[str, ...]
    metric: str = "rougeL_ws"


def _rng(seed: int, kind: str, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(f"{kind}\x1f{name}".encode("utf-8"))])


def _values(arm: str, rep: int, replicate: Replicate, task: str, metric: str) -> np.ndarray:
    try:
        v = replicate[task][metric]
    except KeyError:
        raise DataError(f"arm {arm!r} seed replicate {rep}: no {metric!r} values for task {task!r}") from None
    return np.asarray(v, dtype=np.float64)


def _instance_counts(seed: int, task: str, n: int, B: int) -> np.ndarray:
    """(B, n) how often each instance is drawn in each replicate."""
    idx = _rng(seed, "task", task).integers(0, n, size=(B, n))
    flat = (np.arange(B)[:, None] * n + idx).ravel()
    return np.bincount(flat, minlength=B * n).reshape(B, n).astype(np.float64)


def _seed_weights(seed: int, arm: str, S: int, B: int) -> np.ndarray:
    """(B, S) weight of each seed replicate in each bootstrap replicate (rows sum to 1)."""
    if S == 1:
        return np.ones((B, 1))
    idx = _rng(seed, "arm", arm).integers(0, S, size=(B, S))
    flat = (np.arange(B)[:, None] * S + idx).ravel()
    return np.bincount(flat, minlength=B * S).reshape(B, S) / S


def _check(arms: Mapping[str, Sequence[Replicate]], terms: Sequence[StatTerm], B: int, seed: int, level: float) -> None:
    if B < 1:
        raise ConfigError(f"bootstrap B={B}: expected a positive integer")
    if not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"bootstrap seed={seed!r}: expected a non-negative integer")
    if not 0 < level < 1:
        raise ConfigError(f"bootstrap level={level}: expected a number between 0 and 1")
    if not terms:
        raise ConfigError("bootstrap: a contrast needs at least one term")
    for t in terms:
        if not arms.get(t.arm):
            raise DataError(f"bootstrap: arm {t.arm!r} has no seed replicate")
        if not t.tasks:
            raise DataError(f"bootstrap: the term of arm {t.arm!r} selects no task")


def _task_sizes(arms: Mapping[str, Sequence[Replicate]], terms: Sequence[StatTerm]) -> dict[str, int]:
    """Instances per task, the same for every arm and seed (else the comparison cannot be paired)."""
    sizes: dict[str, tuple[int, str]] = {}
    for t in terms:
        for r, replicate in enumerate(arms[t.arm]):
            for task in t.tasks:
                n = len(_values(t.arm, r, replicate, task, t.metric))
                if n == 0:
                    raise DataError(f"arm {t.arm!r} seed replicate {r}: task {task!r} has no instance")
                seen = sizes.setdefault(task, (n, t.arm))
                if seen[0] != n:
                    raise DataError(f"task {task!r}: arm {t.arm!r} has {n} instances, arm {seen[1]!r} has {seen[0]}; "
                                    "a paired bootstrap needs every arm scored on the same instances")
    return {task: n for task, (n, _) in sizes.items()}


def paired_bootstrap(
    arms: Mapping[str, Sequence[Replicate]],
    terms: Sequence[StatTerm],
    *,
    B: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> dict:
    """``{delta, ci_low, ci_high, B, seed, level, n_seeds: {arm: n}}`` of ``sum w_i * M(arm_i)``."""
    _check(arms, terms, B, seed, level)
    sizes = _task_sizes(arms, terms)
    counts = {task: _instance_counts(seed, task, n, B) for task, n in sorted(sizes.items())}
    used = sorted({t.arm for t in terms})
    n_seeds = {a: len(arms[a]) for a in used}
    weights = {a: _seed_weights(seed, a, n_seeds[a], B) for a in used}

    # per task, every (term, seed) value vector as one column: one matrix product per task
    point = [np.zeros(n_seeds[t.arm]) for t in terms]
    boot = [np.zeros((B, n_seeds[t.arm])) for t in terms]
    for task, n in sorted(sizes.items()):
        cols = [(k, r) for k, t in enumerate(terms) if task in t.tasks for r in range(n_seeds[t.arm])]
        V = np.stack([_values(terms[k].arm, r, arms[terms[k].arm][r], task, terms[k].metric) for k, r in cols], axis=1)
        resampled = counts[task] @ V / n
        for j, (k, r) in enumerate(cols):
            point[k][r] += V[:, j].mean()
            boot[k][:, r] += resampled[:, j]
    delta_point, delta_boot = 0.0, np.zeros(B)
    for k, t in enumerate(terms):
        delta_point += t.weight * float((point[k] / len(t.tasks)).mean())
        delta_boot += t.weight * (weights[t.arm] * (boot[k] / len(t.tasks))).sum(axis=1)
    lo, hi = np.percentile(delta_boot, [50 * (1 - level), 50 * (1 + level)])
    return {"delta": delta_point, "ci_low": float(lo), "ci_high": float(hi), "B": B, "seed": seed,
            "level": level, "n_seeds": n_seeds}
