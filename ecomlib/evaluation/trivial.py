"""Trivial predictors: the strongest cheap baselines, scored by the same scorer on the same instances.

Each predictor returns ``{(task, index): prediction}`` for a list of EvalInstance:

``random candidate``  CLS: one of the candidates the prompt shows, uniformly (seeded per instance);
                      NER: every candidate type ``Type: None`` (the gold's own line format, which both
                      parsers read as "no entity"); extraction / generation: the empty string.
``majority``          the most frequent training answer of the task (ties: the smallest string); for a
                      task without training rows (the held-out ones) the first candidate of a CLS task,
                      all-None for NER, empty for extraction / generation (their candidates, where a suite
                      shows any, are attribute names, not answers).
``copy input``        extraction / generation: the input's first ``n_chars`` characters; CLS and NER as
                      ``random candidate``.

``in_suite_majority`` is ``majority`` for a suite without training rows (ChineseEcomQA): the most frequent
gold answer of each task among the other scored instances (leave one out).
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Callable, Iterable, Sequence

from ecomlib.errors import DataError
from ecomlib.evaluation.instance import EvalInstance
from ecomlib.evaluation.scoring import score
from ecomlib.instruct.templates import split_prompt
from ecomlib.schema import format_ner_output

Predictions = dict[tuple[str, int], str]


def _ner_types(inst: EvalInstance) -> list[str]:
    """The candidate types the prompt shows; else the types of the gold's lines (it lists every one)."""
    if inst.label_set:
        return list(inst.label_set)
    return [line.split(": ", 1)[0] for line in inst.gold.split("\n") if ": " in line]


def all_none(inst: EvalInstance) -> str:
    """``Type: None`` for every candidate type: the NER answer that claims no entity."""
    return format_ner_output(_ner_types(inst), {})


def _rng(seed: int, inst: EvalInstance) -> random.Random:
    # a string seed is hashed with SHA-512 by random.Random: stable across runs and PYTHONHASHSEED
    return random.Random(f"{seed}:{inst.task}:{inst.index}")


def _random_one(inst: EvalInstance, seed: int) -> str:
    if inst.task_type == "NER":
        return all_none(inst)
    if inst.task_type == "CLS" and inst.label_set:
        return _rng(seed, inst).choice(list(inst.label_set))
    return ""


def random_candidate(instances: Sequence[EvalInstance], seed: int = 0) -> Predictions:
    return {(i.task, i.index): _random_one(i, seed) for i in instances}


def majority_answers(train_rows: Iterable[dict]) -> dict[str, str]:
    """The most frequent training ``output`` of each task; ties go to the smallest string."""
    counts: dict[str, Counter] = {}
    for n, row in enumerate(train_rows, start=1):
        task, out = row.get("task"), row.get("output")
        if not isinstance(task, str) or not isinstance(out, str):
            raise DataError(f"train row {n}: expected string fields 'task' and 'output'")
        counts.setdefault(task, Counter())[out] += 1
    return {t: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for t, c in counts.items()}


def majority(instances: Sequence[EvalInstance], train_rows: Iterable[dict]) -> Predictions:
    top = majority_answers(train_rows)
    out: Predictions = {}
    for i in instances:
        if i.task in top:
            out[(i.task, i.index)] = top[i.task]
        elif i.task_type == "NER":
            out[(i.task, i.index)] = all_none(i)
        elif i.task_type == "CLS" and i.label_set:
            out[(i.task, i.index)] = i.label_set[0]
        else:
            out[(i.task, i.index)] = ""
    return out


def in_suite_majority(instances: Sequence[EvalInstance]) -> Predictions:
    """``majority`` for a suite with no training rows (ChineseEcomQA, evaluation only), counted on the
    scored instances' own gold answers, leaving each instance's own out: its task's most frequent gold
    among the *other* instances (ties: the smallest string; "" when it is alone). Counting its own gold
    would hand every instance of a task with unique answers its answer once in n."""
    counts: dict[str, Counter] = {}
    for i in instances:
        counts.setdefault(i.task, Counter())[i.gold] += 1
    out: Predictions = {}
    for i in instances:
        others = [(-(n - (a == i.gold)), a) for a, n in counts[i.task].items() if n - (a == i.gold) > 0]
        out[(i.task, i.index)] = min(others)[1] if others else ""
    return out


def input_text(inst: EvalInstance) -> str:
    """The input part alone: ``inst.text``, unless the suite fell back to the whole prompt (a held-out
    row without ``input``) or left it empty; then the prompt's input part."""
    if inst.text and inst.text != inst.prompt:
        return inst.text
    try:
        return split_prompt(inst.prompt).get("input", "")
    except DataError:  # not a rendered EcomInstruct prompt (e.g. the published suite): nothing to parse
        return inst.text


def copy_input(instances: Sequence[EvalInstance], seed: int = 0, n_chars: int = 60,
               text: Callable[[EvalInstance], str] | None = None) -> Predictions:
    """``text`` picks the input of a suite whose prompts ``input_text`` does not know (default: it)."""
    text = text or input_text
    out: Predictions = {}
    for i in instances:
        if i.task_type in ("CLS", "NER"):
            out[(i.task, i.index)] = _random_one(i, seed)
        else:
            out[(i.task, i.index)] = text(i)[:n_chars]
    return out


TRIVIAL: dict[str, Callable[[Sequence[EvalInstance], Sequence[dict], int], Predictions]] = {
    "random candidate": lambda instances, train_rows, seed: random_candidate(instances, seed),
    "majority": lambda instances, train_rows, seed: majority(instances, train_rows),
    "copy input": lambda instances, train_rows, seed: copy_input(instances, seed),
}


def predict_trivial(instances: Sequence[EvalInstance], train_rows: Sequence[dict], seed: int = 0) -> dict[str, Predictions]:
    return {name: fn(instances, train_rows, seed) for name, fn in TRIVIAL.items()}


def score_trivial(instances: Sequence[EvalInstance], train_rows: Sequence[dict], seed: int = 0) -> dict[str, dict]:
    """``{name: scores.json structure}`` of every trivial predictor (ecomlib.evaluation.scoring.score)."""
    train_rows = list(train_rows)
    return {name: score(instances, preds) for name, preds in predict_trivial(instances, train_rows, seed).items()}


def best_trivial(scores_by_name: dict[str, dict], key: str, variant: str = "ref") -> tuple[str, float]:
    """The predictor with the highest ``summary[variant][key]`` (e.g. ``UD_rougeL``); ties go to the
    first in ``scores_by_name``'s order. Predictors without a value for ``key`` are skipped."""
    best: tuple[str, float] | None = None
    for name, scores in scores_by_name.items():
        value = scores["summary"][variant].get(key)
        if value is not None and (best is None or value > best[1]):
            best = (name, value)
    if best is None:
        raise DataError(f"best_trivial: no predictor has a value for summary[{variant!r}][{key!r}]")
    return best


__all__ = [
    "TRIVIAL", "all_none", "best_trivial", "copy_input", "in_suite_majority", "input_text", "majority",
    "majority_answers", "predict_trivial", "random_candidate", "score_trivial",
]
