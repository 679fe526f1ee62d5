"""Evaluation harness: suites, batched generation, reference-compatible and corrected metrics.

The study's suites are declared in ``ecomlib.evaluation.registry`` (``SUITES``, ``get_suite``, ``suites_for``).

Public API::

    load_suite(name, data_dir=None, n_per_task=None, *, candidates="sampled", seed=0, tasks=None)
    generate(model, tokenizer, prompts, *, batch_size=32, max_new_tokens=64, num_beams=1,
             max_prompt_tokens=800, progress=False) -> list[str]
    score(instances, predictions: dict[(task, index), str]) -> dict   # the scores.json structure
    table_row(scores, variant="ref") -> dict                          # the Table-4 numbers
    evaluate_model(model, tokenizer, instances, eval_cfg, progress=False) -> (rows, scores)
"""

from ecomlib.evaluation.suites import EvalInstance, load_suite
from ecomlib.evaluation.scoring import read_predictions, score, table_row, write_scores


def generate(*args, **kwargs):  # imported lazily: torch is heavy and scoring does not need it
    from ecomlib.evaluation.generation import generate as _generate  # deferred: torch

    return _generate(*args, **kwargs)


def evaluate_model(*args, **kwargs):
    from ecomlib.evaluation.runner import evaluate_model as _evaluate_model  # deferred: torch

    return _evaluate_model(*args, **kwargs)


__all__ = ["EvalInstance", "load_suite", "generate", "score", "table_row", "evaluate_model",
           "read_predictions", "write_scores"]
