"""The paper's experiments as data: each is a list of variants (a label, a training-data selection,
profile overrides, a model size, a seed). ``run`` trains and scores every variant through the cached
pipeline and returns one row per variant.

Notebooks 03-08 call these; the report notebook reads the rows they saved.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass, field
from typing import Any

# tqdm.auto in a kernel without ipywidgets warns once with a path of this machine; the bars still work.
warnings.filterwarnings("ignore", message="IProgress not found")
from ecomlib.progress import tqdm  # noqa: E402  (bars in the terminal, one summary line in a notebook)

from ecomlib.config import Profile, apply_overrides


@dataclass
class Variant:
    label: str
    selection: dict = field(default_factory=dict)  # fields of ecomlib.instruct.Selection
    overrides: dict = field(default_factory=dict)  # profile overrides (e.g. data.template=narrow)
    size: str | None = None  # None = the profile's default size
    seed: int = 0
    group: str = ""  # the table section ("Format", "Language", ...)


GOLD_STRATEGIES = ["simplify", "reverse", "recombine"]


def cot_overall(profile: Profile) -> list[Variant]:
    """Table 5: Full; w/o pseudo-label CoT; w/o both (cumulative, as the paper's text says)."""
    out = []
    for seed in profile.study.seeds:
        out += [
            Variant("Full", seed=seed),
            Variant("w/o pseudo-label CoT", {"exclude_strategies": ["pseudo"]}, seed=seed),
            Variant("w/o pseudo- and gold-label CoT", {"exclude_strategies": ["pseudo", *GOLD_STRATEGIES]}, seed=seed),
        ]
    return out


def cot_datasets(profile: Profile, k: int = 3) -> list[str]:
    """Training datasets for Table 6: those with the most gold-label CoT tasks (simplify / reverse /
    recombine), at most one per data type first (so cross-data-type transfer can be seen), then by count;
    ties broken by name."""
    from ecomlib.instruct.tasks import task_registry

    counts: dict[tuple[str, str], int] = {}
    for t in task_registry(profile):
        if not t.heldout and t.origin == "cot" and t.strategy in GOLD_STRATEGIES:
            counts[(t.dataset, t.data_type)] = counts.get((t.dataset, t.data_type), 0) + 1
    ranked = sorted(counts, key=lambda d: (-counts[d], d[0]))
    picked: list[str] = []
    seen_types: set[str] = set()
    for name, dtype in ranked:  # first pass: the best dataset of each data type
        if dtype not in seen_types and len(picked) < k:
            picked.append(name)
            seen_types.add(dtype)
    picked += [name for name, _ in ranked if name not in picked][: k - len(picked)]
    return sorted(picked, key=lambda n: (-max(c for (d, _), c in counts.items() if d == n), n))


def cot_by_dataset(profile: Profile, datasets: list[str]) -> list[Variant]:
    """Table 6: without the CoT tasks of one dataset at a time."""
    return [Variant("Full")] + [Variant(f"w/o {d}-R", {"exclude_cot_of_datasets": [d]}) for d in datasets]


def cot_by_paradigm(profile: Profile) -> list[Variant]:
    """Table 8: without the CoT tasks of one paradigm (CLS-R, EXT-R, GEN-R)."""
    names = {"CLS": "CLS", "EXT": "Ext", "GEN": "Gen"}  # the paper's row labels
    return [Variant("Full")] + [Variant(f"w/o {names[p]}-R", {"exclude_cot_of_paradigms": [p]}) for p in names]


def prompts(profile: Profile) -> list[Variant]:
    """Table 11: format, prompt language, diversity."""
    return [
        Variant("Complete", group="Format"),
        Variant("w/o task information (TI)", overrides={"data.task_info": False}, group="Format"),
        Variant("w/o output constraints (OC)", overrides={"data.output_constraint": False}, group="Format"),
        Variant("EN prompts for all tasks", group="Language"),
        Variant("ZH prompts for all tasks", overrides={"data.prompt_lang": "zh"}, group="Language"),
        Variant("ZH+EN (prompt language = input language)", overrides={"data.prompt_lang": "input"}, group="Language"),
        Variant("Diverse (per-dataset expert prompts)", group="Diversity"),
        Variant("Narrow (one prompt per task family)", overrides={"data.template": "narrow"}, group="Diversity"),
    ]


def cross_language(profile: Profile) -> list[Variant]:
    """Table 10: train EN, ZH, EN+ZH at every size of the ladder."""
    out = []
    for s in profile.model.ladder:
        out += [
            Variant("EN", {"langs": ["en"]}, size=s.name),
            Variant("EN+ZH", size=s.name),
            Variant("ZH", {"langs": ["zh"]}, size=s.name),
        ]
    return out


def cross_paradigm(profile: Profile) -> list[Variant]:
    """Table 9: without every task of one paradigm, at every size."""
    out = []
    for s in profile.model.ladder:
        out.append(Variant("Full", size=s.name))
        for p, label in (("CLS", "w/o CLS"), ("GEN", "w/o Gen"), ("EXT", "w/o Ext"), ("OTHER", "w/o Other")):
            out.append(Variant(label, {"exclude_paradigms": [p]}, size=s.name))
    return out


def task_scaling(profile: Profile) -> list[Variant]:
    """Figure 4: nested random subsets of K training tasks, at every size."""
    return [
        Variant(f"{k} tasks", {"n_tasks": k, "seed": profile.seed}, size=s.name)
        for s in profile.model.ladder
        for k in profile.study.task_counts
    ]


def data_scaling(profile: Profile) -> list[Variant]:
    """Figure 5: instances per task."""
    return [Variant(f"{n} per task", {"per_task": n}) for n in profile.study.per_task_counts]


def model_ladder(profile: Profile) -> list[Variant]:
    return [Variant("EcomGPT", size=s.name) for s in profile.model.ladder]


def variant_profile(profile: Profile, v: Variant) -> Profile:
    p = apply_overrides(profile, v.overrides, src=f"variant {v.label!r}") if v.overrides else profile
    if v.seed != p.train.seed:
        p = apply_overrides(p, {"train.seed": v.seed}, src=f"variant {v.label!r}")
    return p


def run(profile: Profile, variants: list[Variant], progress: bool = True) -> list[dict[str, Any]]:
    """Train and score every variant (cached); one row of summary numbers per variant."""
    from ecomlib.instruct import Selection
    from ecomlib.study import pipeline
    from ecomlib.study.tables import summarize

    rows = []
    for v in tqdm(variants, desc="variants", disable=not progress):
        p = variant_profile(profile, v)
        size = v.size or p.model.default_size
        model_dir = pipeline.finetune(p, size, Selection(**v.selection))
        scores = pipeline.evaluate(p, model_dir)
        rows.append(
            {
                "label": v.label, "group": v.group, "size": size, "seed": v.seed,
                "selection": dataclasses.asdict(Selection(**v.selection)), **summarize(scores),
            }
        )
    return rows
