"""Generate on a suite's instances and score them: the study runner's entry point."""

from __future__ import annotations

from typing import Sequence

from ecomlib.config import EvalConfig
from ecomlib.evaluation.generation import generate
from ecomlib.evaluation.instance import EvalInstance
from ecomlib.evaluation.scoring import score


def prediction_rows(instances: Sequence[EvalInstance], answers: Sequence[str]) -> list[dict]:
    """predictions.jsonl rows, in (task, index) order."""
    rows = [{"task": i.task, "index": i.index, "prediction": a} for i, a in zip(instances, answers, strict=True)]
    return sorted(rows, key=lambda r: (r["task"], r["index"]))


def evaluate_model(model, tokenizer, instances: Sequence[EvalInstance], eval_cfg: EvalConfig,
                   progress: bool = False, subset: dict | None = None) -> tuple[list[dict], dict]:
    """(prediction rows, scores). ``model`` may also be an ``openai_chat.ChatClient`` (tokenizer None)."""
    prompts = [i.prompt for i in instances]
    if tokenizer is None and hasattr(model, "complete"):
        answers = model.generate(prompts, max_new_tokens=eval_cfg.max_new_tokens, progress=progress)
    else:
        answers = generate(model, tokenizer, prompts, batch_size=eval_cfg.batch_size,
                           max_new_tokens=eval_cfg.max_new_tokens, num_beams=eval_cfg.num_beams,
                           max_prompt_tokens=eval_cfg.max_prompt_tokens, progress=progress,
                           groups=[i.task for i in instances])
    rows = prediction_rows(instances, answers)
    return rows, score(instances, {(r["task"], r["index"]): r["prediction"] for r in rows}, subset)
