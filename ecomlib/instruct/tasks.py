"""The task registry: every EcomInstruct task as a named, versioned ``TaskSpec``.

Names follow EcomGPT, ``LANG-Dataset-TaskType-kind`` (e.g. ``EN-AmzTitleNER-NER-ner``). The registry
is derived from the world's sources: a source's *benchmark* tasks are its ``SourceSpec.tasks``; its
*CoT* tasks are the derivations (``cot.py``) that apply to its data type and to the labels its
records actually carry (found by probing its first records). Held-out sources contribute only their
benchmark tasks; training sources never get a kind in ``UNSEEN_TASK_KINDS``.

Versions work like lm-evaluation-harness task versions: bump a kind's entry in ``KIND_VERSIONS``
when its instances or templates change, and ``REGISTRY_VERSION`` when the derivation rules change.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import asdict, dataclass
from typing import Callable, Iterable, Iterator

from ecomlib import records
from ecomlib.errors import DataError
from ecomlib.instruct import cot
from ecomlib.instruct.kinds import KIND_FUNCS, Context
from ecomlib.recordtypes import RawRecord, SourceSpec
from ecomlib.schema import PARADIGM_OF_TASK_TYPE, TASK_KINDS, UNSEEN_TASK_KINDS
from ecomlib.seeding import stable_seed

# 2: a derived kind applies only when some probe instance has a non-empty answer.
REGISTRY_VERSION = 2
# answer_extract 2: a written answer that is not in the context no longer yields an extraction instance.
# evidence_select 2: every answering candidate is gold. opinion_extraction 2: none from a source that
# annotates no opinions. question_generate 2: prompts name what the input holds. title_generate 2: prompts
# name what the input holds; 3: generated from the title's parts where the world lists them. next_turn 2:
# with the record's reply guide.
KIND_VERSIONS: dict[str, int] = {**{kind: 1 for kind in TASK_KINDS}, "answer_extract": 2, "evidence_select": 2,
                                 "opinion_extraction": 2, "title_generate": 3, "question_generate": 2,
                                 "next_turn": 2}
PROBE_RECORDS = 50  # records looked at to decide which CoT derivations a source supports


@dataclass(frozen=True)
class TaskSpec:
    name: str
    lang: str  # "en" | "zh": the input language
    paradigm: str
    task_type: str
    kind: str
    dataset: str
    data_type: str
    origin: str  # benchmark | cot
    strategy: str  # "" for benchmark tasks
    heldout: bool
    level: str  # held-out: unseen_dataset | unseen_task; train: ""
    version: int

    def to_dict(self) -> dict:
        return asdict(self)


def task_name(spec: SourceSpec, kind: str) -> str:
    return f"{spec.lang.upper()}-{spec.name}-{TASK_KINDS[kind]}-{kind}"


def make_task(spec: SourceSpec, kind: str, origin: str, strategy: str) -> TaskSpec:
    task_type = TASK_KINDS[kind]
    level = ("unseen_task" if kind in UNSEEN_TASK_KINDS else "unseen_dataset") if spec.heldout else ""
    if spec.pseudo:
        origin, strategy = "cot", "pseudo"
    return TaskSpec(
        name=task_name(spec, kind), lang=spec.lang, paradigm=PARADIGM_OF_TASK_TYPE[task_type],
        task_type=task_type, kind=kind, dataset=spec.name, data_type=spec.data_type, origin=origin,
        strategy=strategy, heldout=spec.heldout, level=level, version=KIND_VERSIONS[kind],
    )


def check_source(spec: SourceSpec) -> None:
    who = f"source {spec.name!r}"
    if not spec.name or "-" in spec.name:
        raise DataError(f"{who}: a source name must be non-empty and contain no '-' (task names are LANG-Dataset-TaskType-kind)")
    if spec.lang not in ("en", "zh"):
        raise DataError(f"{who}: lang {spec.lang!r}, expected 'en' or 'zh'")
    for kind in [*spec.tasks, *(k for k, _ in spec.derivations or ())]:
        if kind not in TASK_KINDS:
            raise DataError(f"{who}: task kind {kind!r} is not in ecomlib.schema.TASK_KINDS")
    for kind, strategy in spec.derivations or ():
        if strategy not in ("simplify", "reverse", "recombine"):
            raise DataError(f"{who}: derivation {kind!r} has strategy {strategy!r}, expected simplify, reverse or recombine")


def applicable_kinds(spec: SourceSpec, records: Iterable[RawRecord], seed: int) -> set[str]:
    """The derivable kinds that yield at least one instance with a non-empty answer on these (probe)
    records. A kind whose every answer is empty (e.g. answer extraction from a source whose answers
    are written, not spans: "None" in every row) would teach nothing but "None"."""
    ctx = Context(random.Random(stable_seed(seed, "probe", spec.name)))
    found: set[str] = set()
    for rec in records:
        for kind, _ in cot.source_derivations(spec):
            if kind not in found:
                inst = KIND_FUNCS[kind](rec, ctx)
                if inst is not None and inst.answer:
                    found.add(kind)
        ctx.remember(rec)
    return found


def registry_for(
    sources: list[SourceSpec], read_records: Callable[[str], Iterator[RawRecord]], seed: int
) -> list[TaskSpec]:
    """Build the registry from source specs and a record reader (``read_records(source_name)``)."""
    tasks: list[TaskSpec] = []
    seen_sources: set[str] = set()
    for spec in sorted(sources, key=lambda s: s.name):
        check_source(spec)
        if spec.name in seen_sources:
            raise DataError(f"source {spec.name!r} is listed twice")
        seen_sources.add(spec.name)
        bench = [k for k in dict.fromkeys(spec.tasks) if spec.heldout or k not in UNSEEN_TASK_KINDS]
        for kind in bench:
            tasks.append(make_task(spec, kind, "benchmark", ""))
        if spec.heldout:
            continue  # held-out datasets feed the suite only: no CoT tasks from them
        probe = applicable_kinds(spec, itertools.islice(read_records(spec.name), PROBE_RECORDS), seed)
        for kind, strategy in cot.source_derivations(spec):
            if kind in probe and kind not in bench and kind not in UNSEEN_TASK_KINDS:
                tasks.append(make_task(spec, kind, "cot", strategy))
    return tasks


def task_registry(profile) -> list["TaskSpec"]:
    """Every task of the profile's world, sorted by source then by derivation order."""
    return registry_for(records.list_sources(profile), lambda name: records.iter_records(profile, name), profile.seed)
