"""Selection for ablations: a pure function over built train rows (no rebuild).

Task subsets are nested: tasks are ordered by a seeded hash of their name (one fixed permutation per
seed) and ``n_tasks=K`` keeps the first K that survive the other filters, so the 8-task subset is a
subset of the 16-task one. ``per_task`` is nested the same way within each task (rows ordered by a
seeded hash of (task, index)). Rows keep their input order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Optional

from ecomlib.errors import ConfigError
from ecomlib.schema import ORIGINS, PARADIGMS, STRATEGIES


@dataclass(frozen=True)
class Selection:
    exclude_origins: tuple[str, ...] = ()  # e.g. ("cot",) = benchmark tasks only
    exclude_strategies: tuple[str, ...] = ()  # ("pseudo",) = w/o pseudo-label CoT; the other three = w/o gold CoT
    exclude_cot_of_datasets: tuple[str, ...] = ()  # CoT tasks derived from these datasets
    exclude_cot_of_paradigms: tuple[str, ...] = ()  # CoT tasks of these paradigms
    exclude_paradigms: tuple[str, ...] = ()  # every task of these paradigms (cross-paradigm study)
    langs: tuple[str, ...] = ()  # keep only these input languages ("en", "zh"); empty = all
    n_tasks: Optional[int] = None  # nested random subset of K tasks
    per_task: Optional[int] = None  # nested random subset of at most N rows per task
    seed: int = 0

    def __post_init__(self) -> None:
        allowed = {
            "exclude_origins": ORIGINS, "exclude_strategies": STRATEGIES, "exclude_cot_of_paradigms": PARADIGMS,
            "exclude_paradigms": PARADIGMS, "langs": ("en", "zh"),
        }
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.startswith("exclude_") or f.name == "langs":
                if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
                    raise ConfigError(f"Selection.{f.name}: expected a list of strings, got {value!r}")
                value = tuple(sorted(value))
                object.__setattr__(self, f.name, value)
                bad = [v for v in value if f.name in allowed and v not in allowed[f.name]]
                if bad:
                    raise ConfigError(f"Selection.{f.name}: {bad} not in {allowed[f.name]}")
        for name in ("n_tasks", "per_task"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v <= 0):
                raise ConfigError(f"Selection.{name}: expected a positive integer or None, got {v!r}")


def _rank(seed: int, *parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, (seed, *parts))).encode("utf-8")).hexdigest()


def _keep(row: dict, sel: Selection) -> bool:
    cot = row["origin"] == "cot"
    return not (
        row["origin"] in sel.exclude_origins
        or (row["strategy"] and row["strategy"] in sel.exclude_strategies)
        or (cot and row["dataset"] in sel.exclude_cot_of_datasets)
        or (cot and row["paradigm"] in sel.exclude_cot_of_paradigms)
        or row["paradigm"] in sel.exclude_paradigms
        or (sel.langs and row["lang"] not in sel.langs)
    )


def select(rows: list[dict], sel: Selection) -> list[dict]:
    """The rows an ablation trains on. Raises ConfigError if fewer than ``n_tasks`` tasks remain."""
    kept = [r for r in rows if _keep(r, sel)]
    if sel.n_tasks is not None:
        tasks = sorted({r["task"] for r in kept}, key=lambda t: _rank(sel.seed, "task", t))
        if sel.n_tasks > len(tasks):
            raise ConfigError(f"Selection.n_tasks={sel.n_tasks}: only {len(tasks)} tasks remain after the filters")
        chosen = set(tasks[: sel.n_tasks])
        kept = [r for r in kept if r["task"] in chosen]
    if sel.per_task is not None:
        by_task: dict[str, list[dict]] = {}
        for r in kept:
            by_task.setdefault(r["task"], []).append(r)
        allowed_ids: set[int] = set()
        for task, group in by_task.items():
            group = sorted(group, key=lambda r: _rank(sel.seed, "row", task, r["index"]))
            allowed_ids.update(id(r) for r in group[: sel.per_task])
        kept = [r for r in kept if id(r) in allowed_ids]
    return [dict(r) for r in kept]
