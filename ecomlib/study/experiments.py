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
from ecomlib.progress import terminal_only, tqdm  # noqa: E402  (bars in the terminal, one line in a notebook)

from ecomlib.config import Profile, apply_overrides


@dataclass
class Variant:
    label: str
    selection: dict = field(default_factory=dict)  # fields of ecomlib.instruct.Selection
    overrides: dict = field(default_factory=dict)  # profile overrides (e.g. data.template=narrow)
    size: str | None = None  # None = the profile's default size
    seed: int | None = None  # None = the profile's train.seed; replicates get study.seeds
    group: str = ""  # the table section ("Format", "Language", ...)


GOLD_STRATEGIES = ["simplify", "reverse", "recombine"]


def seeded(profile: Profile, variants: list[Variant]) -> list[Variant]:
    """Every variant once per seed of ``study.seeds`` (the replicates a claim's interval needs).

    A seed is the whole pipeline's ``train.seed``: the BLOOM-like and BLOOMZ-like bases are retrained
    with it too, so the spread includes the base models' variance, not only the fine-tune's."""
    return [dataclasses.replace(v, seed=s) for s in profile.study.seeds for v in variants]


def cot_overall(profile: Profile) -> list[Variant]:
    """Table 5: Full; w/o pseudo-label CoT; w/o both (cumulative, as the paper's text says)."""
    return seeded(profile, [
        Variant("Full"),
        Variant("w/o pseudo-label CoT", {"exclude_strategies": ["pseudo"]}),
        Variant("w/o pseudo- and gold-label CoT", {"exclude_strategies": ["pseudo", *GOLD_STRATEGIES]}),
    ])


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
    """Table 11: format, prompt language, diversity. "Complete", "EN prompts" and "Diverse" are the full
    model's own settings (one cached model). The variants the findings test (w/o output constraints,
    narrow prompts) and the full model get every seed; the others one."""
    tested = [
        Variant("Complete", group="Format"),
        Variant("w/o output constraints (OC)", overrides={"data.output_constraint": False}, group="Format"),
        Variant("EN prompts for all tasks", group="Language"),
        Variant("Diverse (per-dataset expert prompts)", group="Diversity"),
        Variant("Narrow (one prompt per task family)", overrides={"data.template": "narrow"}, group="Diversity"),
    ]
    single = [
        Variant("w/o task information (TI)", overrides={"data.task_info": False}, group="Format"),
        Variant("ZH prompts for all tasks", overrides={"data.prompt_lang": "zh"}, group="Language"),
        Variant("ZH+EN (prompt language = input language)", overrides={"data.prompt_lang": "input"}, group="Language"),
    ]
    order = ["Complete", "w/o task information (TI)", "w/o output constraints (OC)", "EN prompts for all tasks",
             "ZH prompts for all tasks", "ZH+EN (prompt language = input language)",
             "Diverse (per-dataset expert prompts)", "Narrow (one prompt per task family)"]  # Table 11's rows
    out = seeded(profile, tested) + single
    return sorted(out, key=lambda v: (order.index(v.label), v.seed if v.seed is not None else -1))


def cross_language(profile: Profile) -> list[Variant]:
    """Table 10: train EN, ZH, EN+ZH (= Full) at the default size, every seed."""
    return seeded(profile, [Variant("EN", {"langs": ["en"]}), Variant("Full"), Variant("ZH", {"langs": ["zh"]})])


PARADIGM_LABELS = (("CLS", "w/o CLS"), ("GEN", "w/o Gen"), ("EXT", "w/o Ext"), ("OTHER", "w/o Other"))


def cross_paradigm(profile: Profile) -> list[Variant]:
    """Table 9: without every task of one paradigm, at the default size. The findings test the drop of
    CLS, EXT and OTHER on their own test tasks (there is no GEN test task beyond title generation), so
    those get every seed and w/o Gen one."""
    tested = [Variant("Full")] + [Variant(lab, {"exclude_paradigms": [p]}) for p, lab in PARADIGM_LABELS if p != "GEN"]
    return seeded(profile, tested) + [Variant("w/o Gen", {"exclude_paradigms": ["GEN"]})]


def task_scaling(profile: Profile) -> list[Variant]:
    """Figure 4: nested random subsets of K training tasks, at the default size; the fewest tasks get every
    seed (the finding compares them with the full model), the others one. The subset is fixed by the
    profile's seed; the replicates vary the training seed only."""
    counts = sorted(profile.study.task_counts)
    subset = lambda k: Variant(f"{k} tasks", {"n_tasks": k, "seed": profile.seed})  # noqa: E731
    return seeded(profile, [subset(counts[0]), Variant("Full")]) + [subset(k) for k in counts[1:]]


def data_scaling(profile: Profile) -> list[Variant]:
    """Figure 5: instances per task."""
    return [Variant(f"{n} per task", {"per_task": n}) for n in profile.study.per_task_counts]


def model_ladder(profile: Profile) -> list[Variant]:
    """EcomGPT at every size of the ladder, every seed."""
    return seeded(profile, [Variant("EcomGPT", size=s.name) for s in profile.model.ladder])


def lr_sweep(profile: Profile) -> list[Variant]:
    """The fine-tune learning rates of ``study.lr_grid`` at the default size, one seed. Scored on the held-in
    split only: this is how the profile's ``train.lr`` is checked, never on held-out scores."""
    return [Variant(f"lr {lr:g}", overrides={"train.lr": lr}, group="lr") for lr in profile.study.lr_grid]


def compute_scaling(profile: Profile) -> list[Variant]:
    """The full model at the default size with ``study.compute_multipliers`` x the profile's fine-tune steps
    (one seed): how held-in and held-out scores grow with training compute."""
    steps = profile.train.max_steps
    if steps <= 0:
        return []
    return [Variant(f"{m:g}x steps", overrides={"train.max_steps": max(1, round(m * steps))}, group="compute")
            for m in profile.study.compute_multipliers]


def variant_profile(profile: Profile, v: Variant) -> Profile:
    p = apply_overrides(profile, v.overrides, src=f"variant {v.label!r}") if v.overrides else profile
    if v.seed is not None and v.seed != p.train.seed:
        p = apply_overrides(p, {"train.seed": v.seed}, src=f"variant {v.label!r}")
    return p


def evaluate_all(p: Profile, model_dir, progress: bool = False, splits=("heldout", "heldin")) -> dict[str, Any]:
    """Summary numbers of one model: the held-out Table-4 keys, and ``HI_*`` on the held-in split."""
    from ecomlib.study import pipeline
    from ecomlib.study.tables import summarize, summarize_heldin

    out: dict[str, Any] = {}
    if "heldout" in splits:
        out.update(summarize(pipeline.evaluate(p, model_dir, progress=progress)))
    if "heldin" in splits and p.data.heldin_per_task:
        out.update(summarize_heldin(pipeline.evaluate(p, model_dir, "heldin", progress=progress)))
    return out


def run(profile: Profile, variants: list[Variant], progress: bool = True,
        splits=("heldout", "heldin")) -> list[dict[str, Any]]:
    """Train and score every variant (cached); one row of summary numbers per variant. ``splits=("heldin",)``
    scores the held-in split only (hyperparameter choice: held-out scores are never looked at)."""
    from ecomlib.instruct import Selection
    from ecomlib.study import pipeline

    rows = []
    bar = tqdm(variants, desc="variants", disable=not progress)
    for v in bar:
        p = variant_profile(profile, v)
        size = v.size or p.model.default_size
        if progress:
            bar.set_postfix_str(f"{v.label} (size {size}, seed {p.train.seed})")
        # Each variant trains and evaluates for minutes: its stages' bars (step, loss, tokens/s; rows
        # generated) show on the terminal; the notebook keeps the variants bar's one summary line.
        with terminal_only():
            model_dir = pipeline.finetune(p, size, Selection(**v.selection), progress=progress)
            scores = evaluate_all(p, model_dir, progress=progress, splits=splits)
        rows.append(
            {
                "label": v.label, "group": v.group, "size": size, "seed": p.train.seed,
                "selection": dataclasses.asdict(Selection(**v.selection)), **scores,
                "train_tokens": _trained_tokens(model_dir), "model_dir": str(model_dir),
            }
        )
    return rows


def _trained_tokens(model_dir) -> int | None:
    """Tokens the fine-tune processed (its result.json ``tokens.total``), the x-axis of compute scaling."""
    import json
    from pathlib import Path

    path = Path(model_dir) / "result.json"
    try:
        return int(json.loads(path.read_text())["tokens"]["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
