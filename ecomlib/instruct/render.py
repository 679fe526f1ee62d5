"""Instance -> EcomInstruct row: candidate labels (gold + sampled negatives), the formatted output,
and the six-part prompt in the profile's layout (``data.layout``, see templates.py): training and
held-out rows are rendered by the same function, so evaluation prompts are in the layout trained on.

Candidates and prompt choice are drawn from RNGs seeded by (seed, task, parent record), so they do not
depend on the order of the stream or on the template variant: a held-out row is byte-identical under
every training-template ablation.
"""

from __future__ import annotations

import random

from ecomlib.instruct.kinds import Instance
from ecomlib.instruct.negatives import NER_MAX_NEGATIVES, sample_negatives
from ecomlib.instruct.tasks import TaskSpec
from ecomlib.instruct.templates import TemplateVariant, render
from ecomlib.schema import LABEL_SEP, NONE_ANSWER, format_ner_output
from ecomlib.seeding import stable_seed


def candidates_for(
    inst: Instance, task_type: str, universe: set[str], n_negative: int, max_candidates: int, rng: random.Random
) -> list[str]:
    """Gold labels plus up to ``n_negative`` labels the instance does not have, shuffled.

    The cap ``max_candidates`` only limits negatives: gold labels are always shown (for NER an
    absent type among the candidates is exactly what makes a ``Type: None`` line).
    """
    if task_type not in ("CLS", "NER"):
        return []
    gold = list(dict.fromkeys(inst.gold))
    pool = sorted(set(inst.closed or universe) - set(gold))
    k = max(0, min(n_negative, len(pool), max_candidates - len(gold)))
    if task_type == "NER":
        k = min(k, NER_MAX_NEGATIVES)
    cands = gold + sample_negatives(pool, gold, inst.input, k, rng)  # half hard negatives (negatives.py)
    rng.shuffle(cands)
    return cands


def format_output(inst: Instance, task_type: str, candidates: list[str]) -> str:
    """The gold answer in the reference's format for the TaskType (see ecomlib.schema)."""
    a = inst.answer
    if task_type == "NER":
        assert isinstance(a, dict)
        return format_ner_output(candidates, a)
    if task_type == "Generate":
        assert isinstance(a, str)
        return a
    assert isinstance(a, list)
    if task_type == "CLS":
        return LABEL_SEP.join(a)
    return LABEL_SEP.join(a) if a else NONE_ANSWER  # Extract / Condition_Extract


def make_row(task: TaskSpec, inst: Instance, universe: set[str], data, variant: TemplateVariant, seed: int) -> dict:
    """One row (``index`` is set by the builder after deduplication). A kind yields at most one
    instance per record, so (task, parent) identifies the instance."""
    key = inst.parent
    rng = random.Random(stable_seed(seed, "candidates", task.name, key))
    cands = candidates_for(inst, task.task_type, universe, data.n_negative_labels, data.max_candidates, rng)
    if task.heldout:  # one fixed evaluation prompt, whatever the training variant, in its layout
        use, choice = variant.for_eval(), None
    else:
        use, choice = variant, stable_seed(seed, "prompt", task.name, key)
    prompt = render(task.kind, task.dataset, task.data_type, task.lang, inst.input, cands, use, choice)
    return {
        "task": task.name,
        "index": -1,
        "prompt": prompt,
        "input": inst.input,
        "output": format_output(inst, task.task_type, cands),
        "lang": task.lang,
        "paradigm": task.paradigm,
        "task_type": task.task_type,
        "dataset": task.dataset,
        "data_type": task.data_type,
        "origin": task.origin,
        "strategy": task.strategy,
        "parent": inst.parent,
        "candidates": cands,
        "level": task.level,
    }
