"""The study plan: every trained model declared once, as data.

An *arm* is one trained model, keyed only by what is trained: its family (BLOOM-like, BLOOMZ-like or
EcomGPT), its size, its training-data selection (the fields of ``ecomlib.instruct.Selection`` that differ
from the default) and its profile overrides (those that change the profile). Seeds are its replicates.
Display labels live beside the key, in the rows of the tables: one arm can appear under several labels
("Full" in Tables 5-10 and "Complete" / "EN prompts" / "Diverse" in Table 11 are the one model
``EcomGPT@xs``). ``study_plan(profile)`` declares the main table (Table 4), every experiment of the paper
(Tables 5-11, Figures 4-5, model ladder), the hyperparameter checks (lr sweep, compute multipliers) and the
claims' arms. Running a plan is ``ecomlib.study.results``; this module trains nothing.

Imports: ``ecomlib.config``, ``ecomlib.instruct`` (selections, the task registry) and ``ecomlib.study.claims``
(the claims are declared from the plan's arm keys); nothing that trains or evaluates.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterable

from ecomlib.config import Profile, apply_overrides
from ecomlib.errors import ConfigError
from ecomlib.instruct import Selection
from ecomlib.instruct.tasks import task_registry
from ecomlib.study.claims import Claim, ClaimArms, paper_claims
from ecomlib.study.tables import paper_tables

FAMILIES = ("BLOOM-like", "BLOOMZ-like", "EcomGPT")
STAGE_OF_FAMILY = {"BLOOM-like": "pretrain", "BLOOMZ-like": "general"}  # pipeline.base_model's stage
GOLD_STRATEGIES = ["simplify", "reverse", "recombine"]
ALL_SUITES = None  # an experiment scored on every suite that applies (Experiment.suites)


def _fmt(value: Any) -> str:
    """A selection / override value inside a key: lists joined by "+", numbers as ``repr`` (0.003 stays 0.003)."""
    if isinstance(value, (list, tuple)):
        return "+".join(_fmt(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Arm:
    """One trained model up to its seed. ``selection`` / ``overrides``: sorted (field, value) pairs of what
    differs from the default selection / from the profile (``make_arm`` normalises them)."""

    family: str
    size: str
    selection: tuple[tuple[str, Any], ...] = ()
    overrides: tuple[tuple[str, Any], ...] = ()

    @property
    def key(self) -> str:
        """E.g. ``EcomGPT@xs``, ``EcomGPT@xs[exclude_strategies=pseudo]``, ``EcomGPT@xs{data.template=narrow}``."""
        sel = ";".join(f"{k}={_fmt(v)}" for k, v in self.selection)
        ovr = ";".join(f"{k}={_fmt(v)}" for k, v in self.overrides)
        return f"{self.family}@{self.size}" + (f"[{sel}]" if sel else "") + (f"{{{ovr}}}" if ovr else "")

    def selection_obj(self) -> Selection:
        return Selection(**dict(self.selection))

    def profile(self, profile: Profile, seed: int) -> Profile:
        """The profile this arm's replicate ``seed`` trains with: its overrides, then ``train.seed``."""
        p = apply_overrides(profile, dict(self.overrides), src=f"arm {self.key!r}") if self.overrides else profile
        return seed_profile(p, seed)


def seed_profile(profile: Profile, seed: int) -> Profile:
    """``profile`` trained with ``train.seed = seed`` (a replicate: the whole pipeline is retrained)."""
    return profile if seed == profile.train.seed else apply_overrides(profile, {"train.seed": seed}, src=f"seed {seed}")


def make_arm(profile: Profile, family: str = "EcomGPT", size: str | None = None, selection: dict | None = None,
             overrides: dict | None = None) -> Arm:
    """The arm of a model, its key derived from what is trained: selection fields equal to the default and
    overrides equal to the profile's value are dropped (they train the same model)."""
    if family not in FAMILIES:
        raise ConfigError(f"arm family {family!r}: expected one of {FAMILIES}")
    size = size or profile.model.default_size
    profile.size(size)  # a ConfigError naming the ladder when the size is not in it
    sel = dataclasses.asdict(Selection(**(selection or {})))
    default = dataclasses.asdict(Selection())
    changed = tuple(sorted((k, v) for k, v in sel.items() if v != default[k]))
    if family != "EcomGPT" and changed:
        raise ConfigError(f"arm {family}@{size}: a training-data selection applies to EcomGPT only")
    varied = apply_overrides(profile, overrides) if overrides else profile
    kept = tuple(sorted((k, v) for k, v in (overrides or {}).items() if _get(varied, k) != _get(profile, k)))
    return Arm(family, size, changed, kept)


def _get(profile: Profile, dotted: str) -> Any:
    obj: Any = profile
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


@dataclass(frozen=True)
class Row:
    """One row of an experiment's table: its display ``label``, its table section ``group``, the ``arm``
    and the training ``seed`` of this replicate."""

    label: str
    arm: Arm
    seed: int
    group: str = ""


@dataclass(frozen=True)
class Experiment:
    """An experiment's rows, in table order; ``suites``: the suites its arms are scored on, those of them that
    apply (None: every suite that applies; ``("heldin",)`` for hyperparameter choice, never looking at
    held-out scores)."""

    name: str
    rows: tuple[Row, ...]
    suites: tuple[str, ...] | None = ALL_SUITES


@dataclass(frozen=True)
class Plan:
    """What the study trains and reports: ``main`` (Table 4's rows), ``experiments`` by name, ``claims``."""

    profile: Profile
    main: tuple[Row, ...]
    experiments: dict[str, Experiment] = field(default_factory=dict)
    claims: tuple[Claim, ...] = ()

    def runs(self) -> list[tuple[Arm, int, tuple[str, ...] | None]]:
        """Every distinct (arm, seed) once, in plan order, with the suites to score it on (None = all)."""
        out: dict[tuple[Arm, int], tuple[str, ...] | None] = {}
        for rows, suites in [(self.main, ALL_SUITES), *((e.rows, e.suites) for e in self.experiments.values())]:
            for r in rows:
                k = (r.arm, r.seed)
                if k not in out:
                    out[k] = suites
                elif out[k] is not ALL_SUITES:
                    out[k] = ALL_SUITES if suites is ALL_SUITES else tuple(dict.fromkeys(out[k] + suites))
        return [(arm, seed, suites) for (arm, seed), suites in out.items()]

    def labels(self) -> dict[str, str]:
        """Each arm key's first display label in plan order (the main table's own names come first)."""
        out: dict[str, str] = {}
        for r in [*self.main, *(r for e in self.experiments.values() for r in e.rows)]:
            out.setdefault(r.arm.key, r.label)
        return out

    def only(self, *names: str) -> "Plan":
        """The same plan restricted to some experiments (``"main"``: Table 4's rows), without the claims."""
        unknown = sorted(set(names) - {"main", *self.experiments})
        if unknown:
            raise ConfigError(f"plan: no experiment {unknown}; expected main or one of {sorted(self.experiments)}")
        return Plan(self.profile, self.main if "main" in names else (),
                    {k: e for k, e in self.experiments.items() if k in names})

    def arms(self) -> dict[str, Arm]:
        return {arm.key: arm for arm, _, _ in self.runs()}


# ---------------------------------------------------------------------------------------------------
# The declarations (one function per table of the paper; notebook 03-08 read them through the plan)


def _rows(profile: Profile, specs: Iterable[tuple], seeds: Iterable[int] | None = None) -> list[Row]:
    """Rows of ``(label, selection, overrides, group)`` at the default size, seed-major over ``seeds``
    (None: the profile's ``train.seed`` only)."""
    seeds = [profile.train.seed] if seeds is None else list(seeds)
    return [Row(label, make_arm(profile, selection=sel, overrides=ovr), s, group)
            for s in seeds for label, sel, ovr, group in specs]


def seeded(profile: Profile, specs: Iterable[tuple]) -> list[Row]:
    """Every row once per seed of ``study.seeds`` (the replicates a claim's interval needs).

    A seed is the whole pipeline's ``train.seed``: the BLOOM-like and BLOOMZ-like bases are retrained
    with it too, so the spread includes the base models' variance, not only the fine-tune's."""
    return _rows(profile, specs, profile.study.seeds)


def singles(profile: Profile, specs: Iterable[tuple]) -> list[Row]:
    """Rows trained once, at the profile's ``train.seed``: the variants no claim tests. Empty when
    ``study.single_seed_arms`` is off (the cpu profile: a converged fine-tune is too dear for rows that
    test nothing; ``docs/study_plan.md``)."""
    return _rows(profile, specs) if profile.study.single_seed_arms else []


def main_table(profile: Profile) -> list[Row]:
    """Table 4: the three families at every size of the ladder, every seed (seed, then size, then family).
    With ``train.base_seed`` set the bases are trained once, so BLOOM-like and BLOOMZ-like get that one seed."""
    return [Row(f"{family} {s.name}", make_arm(profile, family, s.name), seed, "main")
            for seed in profile.study.seeds for s in profile.model.ladder for family in FAMILIES
            if family == "EcomGPT" or profile.train.base_seed is None or seed == profile.study.seeds[0]]


def cot_overall(profile: Profile) -> list[Row]:
    """Table 5: Full; w/o pseudo-label CoT; w/o both (cumulative, as the paper's text says)."""
    return seeded(profile, [
        ("Full", {}, {}, ""),
        ("w/o pseudo-label CoT", {"exclude_strategies": ["pseudo"]}, {}, ""),
        ("w/o pseudo- and gold-label CoT", {"exclude_strategies": ["pseudo", *GOLD_STRATEGIES]}, {}, ""),
    ])


def cot_datasets(profile: Profile, k: int = 3) -> list[str]:
    """Training datasets for Table 6: those with the most gold-label CoT tasks (simplify / reverse /
    recombine), at most one per data type first (so cross-data-type transfer can be seen), then by count;
    ties broken by name."""
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


def cot_by_dataset(profile: Profile, datasets: list[str] | None = None) -> list[Row]:
    """Table 6: without the CoT tasks of one dataset at a time (default: ``cot_datasets(profile)``)."""
    datasets = cot_datasets(profile) if datasets is None else datasets
    return singles(profile, [("Full", {}, {}, "")] + [(f"w/o {d}-R", {"exclude_cot_of_datasets": [d]}, {}, "")
                                                     for d in datasets])


def cot_by_paradigm(profile: Profile) -> list[Row]:
    """Table 8: without the CoT tasks of one paradigm (CLS-R, EXT-R, GEN-R)."""
    names = {"CLS": "CLS", "EXT": "Ext", "GEN": "Gen"}  # the paper's row labels
    return singles(profile, [("Full", {}, {}, "")] + [(f"w/o {names[p]}-R", {"exclude_cot_of_paradigms": [p]}, {}, "")
                                                     for p in names])


PROMPT_ORDER = ["Complete", "w/o task information (TI)", "w/o output constraints (OC)", "EN prompts for all tasks",
                "ZH prompts for all tasks", "ZH+EN (prompt language = input language)",
                "Diverse (per-dataset expert prompts)", "Narrow (one prompt per task family)"]  # Table 11's rows


def prompts(profile: Profile) -> list[Row]:
    """Table 11: format, prompt language, diversity. "Complete", "EN prompts" and "Diverse" are the full
    model's own settings (one arm). The rows the findings test (w/o output constraints, narrow prompts) and
    the full model get every seed; the others one."""
    tested = [
        ("Complete", {}, {}, "Format"),
        ("w/o output constraints (OC)", {}, {"data.output_constraint": False}, "Format"),
        ("EN prompts for all tasks", {}, {}, "Language"),
        ("Diverse (per-dataset expert prompts)", {}, {}, "Diversity"),
        ("Narrow (one prompt per task family)", {}, {"data.template": "narrow"}, "Diversity"),
    ]
    single = [
        ("w/o task information (TI)", {}, {"data.task_info": False}, "Format"),
        ("ZH prompts for all tasks", {}, {"data.prompt_lang": "zh"}, "Language"),
        ("ZH+EN (prompt language = input language)", {}, {"data.prompt_lang": "input"}, "Language"),
    ]
    out = seeded(profile, tested) + singles(profile, single)
    return sorted(out, key=lambda r: (PROMPT_ORDER.index(r.label), r.seed))


def cross_language(profile: Profile) -> list[Row]:
    """Table 10: train EN, ZH, EN+ZH (= Full) at the default size, every seed."""
    return seeded(profile, [("EN", {"langs": ["en"]}, {}, ""), ("Full", {}, {}, ""), ("ZH", {"langs": ["zh"]}, {}, "")])


PARADIGM_LABELS = (("CLS", "w/o CLS"), ("GEN", "w/o Gen"), ("EXT", "w/o Ext"), ("OTHER", "w/o Other"))


def cross_paradigm(profile: Profile) -> list[Row]:
    """Table 9: without every task of one paradigm, at the default size. The findings test the drop of
    CLS, EXT and OTHER on their own test tasks (there is no GEN test task beyond title generation), so
    those get every seed and w/o Gen one."""
    tested = [("Full", {}, {}, "")] + [(lab, {"exclude_paradigms": [p]}, {}, "")
                                       for p, lab in PARADIGM_LABELS if p != "GEN"]
    return seeded(profile, tested) + singles(profile, [("w/o Gen", {"exclude_paradigms": ["GEN"]}, {}, "")])


def task_scaling(profile: Profile) -> list[Row]:
    """Figure 4: nested random subsets of K training tasks, at the default size; the fewest tasks get every
    seed (the finding compares them with the full model), the others one. The subset is fixed by the
    profile's seed; the replicates vary the training seed only."""
    counts = sorted(profile.study.task_counts)
    subset = lambda k: (f"{k} tasks", {"n_tasks": k, "seed": profile.seed}, {}, "")  # noqa: E731
    return seeded(profile, [subset(counts[0]), ("Full", {}, {}, "")]) + singles(profile, [subset(k) for k in counts[1:]])


def data_scaling(profile: Profile) -> list[Row]:
    """Figure 5: instances per task."""
    return singles(profile, [(f"{n} per task", {"per_task": n}, {}, "") for n in profile.study.per_task_counts])


def model_ladder(profile: Profile) -> list[Row]:
    """EcomGPT at every size of the ladder, every seed."""
    return [Row("EcomGPT", make_arm(profile, size=s.name), seed) for seed in profile.study.seeds
            for s in profile.model.ladder]


def lr_sweep(profile: Profile) -> list[Row]:
    """The fine-tune learning rates of ``study.lr_grid`` at the default size, one seed. Scored on the held-in
    split only: this is how the profile's ``train.lr`` is checked, never on held-out scores."""
    return _rows(profile, [(f"lr {lr:g}", {}, {"train.lr": lr}, "lr") for lr in profile.study.lr_grid])


def compute_scaling(profile: Profile) -> list[Row]:
    """The full model at the default size with ``study.compute_multipliers`` x the profile's fine-tune steps
    (one seed): how held-in and held-out scores grow with training compute."""
    steps = profile.train.max_steps
    if steps <= 0:
        return []
    return _rows(profile, [(f"{m:g}x steps", {}, {"train.max_steps": max(1, round(m * steps))}, "compute")
                           for m in profile.study.compute_multipliers])


# The suites an experiment's arms are scored on: the study's own held-out and held-in splits, as before the
# plan; the published suites (open world) score Table 4's arms only, what the paper's Table 4 is compared with.
STUDY_SUITES = ("heldout", "heldin")

# name -> (declaration, suites); the order is the notebooks' (04-08)
EXPERIMENTS = {
    "cot_overall": (cot_overall, STUDY_SUITES), "cot_by_dataset": (cot_by_dataset, STUDY_SUITES),
    "cot_by_paradigm": (cot_by_paradigm, STUDY_SUITES), "prompts": (prompts, STUDY_SUITES),
    "cross_language": (cross_language, STUDY_SUITES), "cross_paradigm": (cross_paradigm, STUDY_SUITES),
    "task_scaling": (task_scaling, STUDY_SUITES), "data_scaling": (data_scaling, STUDY_SUITES),
    "model_ladder": (model_ladder, STUDY_SUITES), "lr_sweep": (lr_sweep, ("heldin",)),
    "compute_scaling": (compute_scaling, STUDY_SUITES),
}


def claim_arms(profile: Profile) -> ClaimArms:
    """The arm keys every claim names, taken from the experiments that train them."""
    def key(rows: list[Row], label: str) -> str:
        found = [r.arm.key for r in rows if r.label == label]
        if not found:  # a renamed row: loud here, never a claim that quietly stops being checked
            raise ConfigError(f"study plan: no row labelled {label!r} for the claims "
                              f"(labels: {sorted({r.label for r in rows})})")
        return found[0]

    t5, t11, t10, t9, f4 = (cot_overall(profile), prompts(profile), cross_language(profile),
                            cross_paradigm(profile), task_scaling(profile))
    fewest = f"{min(profile.study.task_counts)} tasks"
    main = {(r.arm.family, r.arm.size): r.arm.key for r in main_table(profile)}
    return ClaimArms(
        sizes=tuple(s.name for s in profile.model.ladder), main=main, full=key(t5, "Full"),
        no_pseudo=key(t5, "w/o pseudo-label CoT"), no_cot=key(t5, "w/o pseudo- and gold-label CoT"),
        narrow=key(t11, "Narrow (one prompt per task family)"), no_oc=key(t11, "w/o output constraints (OC)"),
        en=key(t10, "EN"), zh=key(t10, "ZH"), no_cls=key(t9, "w/o CLS"), no_ext=key(t9, "w/o Ext"),
        no_other=key(t9, "w/o Other"), fewest_tasks=key(f4, fewest), fewest_label=fewest,
    )


def study_plan(profile: Profile) -> Plan:
    """The whole study of ``profile``: Table 4, every experiment, the hyperparameter checks and the claims."""
    experiments = {name: Experiment(name, tuple(make(profile)), suites) for name, (make, suites) in EXPERIMENTS.items()}
    claims = paper_claims(claim_arms(profile), paper_tables())
    return Plan(profile, tuple(main_table(profile)), experiments, tuple(claims))
