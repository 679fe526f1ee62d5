"""ChineseEcomQA (OpenStellarTeam, 2025) as a third suite, ``--suite chinese_ecomqa``: evaluation only.

The file ``data/ChineseEcomQA.jsonl`` holds one item per line, ``{"system_prompt", "prompt", "gt",
"task"}``; ``task`` is one of ten codes. The model sees ``system_prompt`` (task statement and
few-shot examples), a newline, then ``prompt`` (which ends in ``***答案***：``). Each code becomes one
task ``ZH-ChineseEcomQA-<TaskType>-<code>`` with instances indexed 0.. in file order, and is scored
by the one metric its answers call for (``HEADLINE``; docs/scoring.md explains the choice):

* ``exact`` (normalised exact match): one label out of a closed set, or one rewritten query:
  ITC query intent, RLC relevance grade, PC option letter, RVC right/wrong, CC fine category,
  SC query correction (the unchanged query when it needs none);
* ``set_f1`` (per-instance F1 of the answer's items, averaged): several items may be right:
  IC categories of a page (comma-separated), AC attribute words of a query;
* ``rougeL_char`` (character Rouge-L, ``ecomlib.evaluation.rouge``): free-text knowledge answers:
  BC brand knowledge, IDC industry knowledge.

The generic per-task metrics of ``scoring.score`` are written too; ``summary`` adds the headline per
task and their mean. The suite never enters training: ``ecomlib.instruct.leak_guard`` checks it.
Reading the file is ``ecomlib.sources.published_eval``'s job; the study's suite is declared in
``ecomlib.evaluation.registry``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Sequence

from ecomlib.errors import DataError
from ecomlib.evaluation.instance import EvalInstance
from ecomlib.evaluation.rouge import rouge_l_char
from ecomlib.schema import PARADIGM_OF_TASK_TYPE
from ecomlib.sources.published_eval import CHINESE_ECOMQA_FILE as FILE
from ecomlib.sources.published_eval import CHINESE_ECOMQA_TASK_TYPE as TASK_TYPE
from ecomlib.sources.published_eval import chinese_ecomqa_file, chinese_ecomqa_prompt, iter_chinese_ecomqa
from ecomlib.sources.published_eval import chinese_ecomqa_task as task_name

SUITE = "chinese_ecomqa"
HEADLINE = {"ITC": "exact", "RLC": "exact", "PC": "exact", "RVC": "exact", "CC": "exact", "SC": "exact",
            "IC": "set_f1", "AC": "set_f1", "BC": "rougeL_char", "IDC": "rougeL_char"}
_ITEM_SEP = re.compile(r"[,，、;；\n]")
_EDGE = re.compile(r"^[\s。．.!！?？:：\"'“”‘’]+|[\s。．.!！?？:：\"'“”‘’]+$")


def load(data_dir: Path | None = None, n_per_task: int | None = None,
         tasks: list[str] | None = None) -> list[EvalInstance]:
    """The suite's instances, sorted by (task, index); ``data_dir``: the data directory (default
    ``$ECOMLIB_DATA_DIR``) or the ``.jsonl`` itself; ``tasks`` picks task names."""
    path = chinese_ecomqa_file(data_dir)
    wanted = set(tasks) if tasks else None
    out: list[EvalInstance] = []
    count: dict[str, int] = {}
    for lineno, row in iter_chinese_ecomqa(path):
        code = row["task"]
        name, index = task_name(code), count.get(code, 0)
        count[code] = index + 1
        if (wanted is not None and name not in wanted) or (n_per_task is not None and index >= n_per_task):
            continue
        out.append(EvalInstance(task=name, index=index, prompt=chinese_ecomqa_prompt(row), gold=row["gt"],
                                task_type=TASK_TYPE[code], paradigm=PARADIGM_OF_TASK_TYPE[TASK_TYPE[code]], lang="zh",
                                level="", text=row["prompt"], meta={"code": code, "line": lineno}))
    if not out:
        raise DataError(f"{path}: no instances" + (f" of {sorted(wanted)}" if wanted else ""))
    return sorted(out, key=lambda i: (i.task, i.index))


def normalise_answer(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed, surrounding quotes and end punctuation removed."""
    return _EDGE.sub("", " ".join(unicodedata.normalize("NFKC", text).casefold().split()))


def answer_items(text: str) -> set[str]:
    return {x for x in (normalise_answer(p) for p in _ITEM_SEP.split(text)) if x}


def item_f1(pred: str, gold: str) -> float:
    p, g = answer_items(pred), answer_items(gold)
    if not p and not g:
        return 1.0
    tp = len(p & g)
    return 0.0 if tp == 0 else 2 * tp / (len(p) + len(g))


def instance_score(metric: str, pred: str, gold: str) -> float:
    if metric == "exact":
        return float(normalise_answer(pred) == normalise_answer(gold))
    if metric == "set_f1":
        return item_f1(pred, gold)
    return rouge_l_char(pred, gold)


def summary(instances: Sequence[EvalInstance], predictions: dict[tuple[str, int], str]) -> dict:
    """{"per_task": {task: {code, metric, n, value}}, "mean": mean of the task values} (values in %)."""
    by_task: dict[str, list[EvalInstance]] = {}
    for inst in instances:
        by_task.setdefault(inst.task, []).append(inst)
    per_task = {}
    for task in sorted(by_task):
        code = by_task[task][0].meta.get("code") or task.rsplit("-", 1)[-1]
        metric = HEADLINE[code]
        vals = [instance_score(metric, predictions[(i.task, i.index)], i.gold) for i in by_task[task]]
        per_task[task] = {"code": code, "metric": metric, "n": len(vals), "value": round(100 * sum(vals) / len(vals), 4)}
    mean = round(sum(t["value"] for t in per_task.values()) / len(per_task), 4) if per_task else None
    return {"per_task": per_task, "mean": mean}


def render(summary_: dict) -> str:
    lines = ["| ChineseEcomQA task | code | metric | n | score |", "|---|---|---|---|---|"]
    for task, t in summary_["per_task"].items():
        lines.append(f"| {task} | {t['code']} | {t['metric']} | {t['n']} | {t['value']:.2f} |")
    lines.append(f"| mean of {len(summary_['per_task'])} tasks | | | | "
                 f"{'–' if summary_['mean'] is None else format(summary_['mean'], '.2f')} |")
    return "\n".join(lines) + "\n"


def add_summary(scores: dict, instances: Sequence[EvalInstance], predictions: dict[tuple[str, int], str]) -> str:
    """Put the headline summary into ``scores`` (key ``chinese_ecomqa``); the markdown table of it."""
    scores[SUITE] = summary(instances, predictions)
    return render(scores[SUITE])


def headline_row(summary_: dict) -> dict:
    """``{"<code> <metric>": value, "mean": ...}`` from ``summary``'s structure (values rounded to 2 places)."""
    row = {f"{t['code']} {t['metric']}": round(t["value"], 2) for t in summary_["per_task"].values()}
    return {**row, "mean": None if summary_["mean"] is None else round(summary_["mean"], 2)}
