"""Score a suite: predictions file in, ``scores.json`` / ``scores.csv`` / ``table.md`` out.

Predictions file rules (one JSON object per line: ``task``, ``index``, ``prediction``):
- every (task, index) of the suite must appear exactly once; missing, duplicate or unknown pairs are an
  error naming the file and line (missing ones are listed);
- a file may be larger than the subset asked for: rows of tasks not selected (``--task``) and rows past
  the ``--n-per-task`` lowest indices of a task are skipped, not refused;
- ``prediction`` must be a string; an empty string is a valid (wrong) answer, scored as the reference
  does (it becomes "error" in the reference variants);
- invalid UTF-8 or JSON is an error naming the line. Nothing is written unless everything parses.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable, Sequence

from ecomlib.errors import DataError, where
from ecomlib.evaluation.instance import EvalInstance
from ecomlib.evaluation.metrics import score_task
from ecomlib.io import atomic_write_files, dumps_json, read_jsonl

# How the reference-compatible NER F1 orders each type's spans before tagging (written into scores.json).
NER_REF_SPAN_ORDER = (
    "first-seen: each type's spans in the order the answer lists them (duplicates dropped), tagged in "
    "that order, a later overlapping span overwriting an earlier one. The published scorer iterates a "
    "Python set, whose order depends on PYTHONHASHSEED: its own spread on imperfect predictions is about "
    "+-0.08 points (gold answers are unaffected)."
)
METRIC_ORDER = ("miF1_ref", "maF1_ref", "rougeL_ws", "miF1", "maF1", "maF1_inst", "acc", "rougeL_char")
VARIANTS = {"ref": ("miF1_ref", "maF1_ref", "rougeL_ws"), "corrected": ("miF1", "maF1", "rougeL_char")}
# Table-4 unseen-task columns, by the last part of the task name (EcomGPT folder names and task kinds)
UNSEEN_COLUMNS = {
    "PA": ("item_align",),
    "RTC": ("review_topic_category", "topic_classify"),
    "PS": ("product_select_2", "product_select"),
}


def _mean(xs: Sequence[float]) -> float | None:
    return round(sum(xs) / len(xs), 4) if xs else None


def score(instances: Sequence[EvalInstance], predictions: dict[tuple[str, int], str],
          subset: dict | None = None) -> dict:
    """The scores.json structure: ``{"tasks": {task: {n, level, task_type, lang, metric: value}}, "summary":
    ..., "beside_averages": [tasks of level "" (scored, in no average)], "scorer": {...}}``, plus
    ``"subset"`` (what was asked for: suite, n_per_task, tasks, whole) when given."""
    by_task: dict[str, list[EvalInstance]] = {}
    for inst in instances:
        by_task.setdefault(inst.task, []).append(inst)
    missing = [(i.task, i.index) for i in instances if (i.task, i.index) not in predictions]
    if missing:
        raise DataError(f"no prediction for {len(missing)} instance(s), e.g. {missing[:5]}")
    tasks: dict[str, dict] = {}
    for task in sorted(by_task):
        insts = sorted(by_task[task], key=lambda i: i.index)
        first = insts[0]
        m = score_task(first.task_type, [predictions[(i.task, i.index)] for i in insts],
                       [i.gold for i in insts], [i.text for i in insts])
        tasks[task] = {"level": first.level, "task_type": first.task_type, "lang": first.lang, **m}
    out = {"tasks": tasks, "summary": summarize(tasks),
           "beside_averages": [t for t in tasks if not tasks[t].get("level")],
           "scorer": {"ner_ref_span_order": NER_REF_SPAN_ORDER}}
    if subset is not None:
        out["subset"] = subset
    return out


def summarize(tasks: dict[str, dict]) -> dict:
    """Averages per variant over the unseen-dataset tasks, and the Table-4 row for each variant."""
    return {variant: table_row({"tasks": tasks}, variant) for variant in VARIANTS}


def _task_kind(task: str) -> str:
    return task.rsplit("-", 1)[-1]


def table_row(scores: dict, variant: str = "ref") -> dict:
    """The Table-4 numbers: UD miF1/maF1/Rouge averaged over unseen-dataset tasks (a metric a task
    lacks, e.g. corrected F1 of Generate, is averaged over the tasks that have it), then PA
    miF1/maF1/Rouge, RTC miF1/maF1/Rouge, PS Rouge. Missing tasks give None."""
    mi, ma, rl = VARIANTS[variant]
    tasks = scores["tasks"]
    ud = [t for t in sorted(tasks) if tasks[t].get("level") == "unseen_dataset"]
    row = {
        "UD_miF1": _mean([tasks[t][mi] for t in ud if mi in tasks[t]]),
        "UD_maF1": _mean([tasks[t][ma] for t in ud if ma in tasks[t]]),
        "UD_rougeL": _mean([tasks[t][rl] for t in ud if rl in tasks[t]]),
        "UD_n_tasks": len(ud),
    }
    for col, kinds in UNSEEN_COLUMNS.items():
        found = [t for t in sorted(tasks) if _task_kind(t) in kinds]
        vals = {k: _mean([tasks[t][key] for t in found if key in tasks[t]]) for k, key in
                (("miF1", mi), ("maF1", ma), ("rougeL", rl))}
        keys = ("rougeL",) if col == "PS" else ("miF1", "maF1", "rougeL")
        for k in keys:
            row[f"{col}_{k}"] = vals[k]
    return row


def read_predictions(path: Path, instances: Iterable[EvalInstance], only_tasks: Iterable[str] | None = None,
                     n_per_task: int | None = None) -> dict[tuple[str, int], str]:
    """Parse and check a predictions file against the suite's instances (rules in the module doc).
    ``only_tasks`` / ``n_per_task`` (a subset asked for): rows outside it are skipped, so a larger file
    can be scored in part."""
    path = Path(path)
    known = {(i.task, i.index) for i in instances}
    last_index: dict[str, int] = {}
    for task, index in known:
        last_index[task] = max(index, last_index.get(task, index))
    only = set(only_tasks) if only_tasks else None
    preds: dict[tuple[str, int], str] = {}
    for lineno, row in enumerate(read_jsonl(path), start=1):
        task, index, pred = row.get("task"), row.get("index"), row.get("prediction")
        if not isinstance(task, str):
            raise DataError(f"{where(path, lineno, 'task')}: expected a task name string, got {task!r}")
        if only is not None and task not in only:
            continue
        if not isinstance(index, int) or isinstance(index, bool):
            raise DataError(f"{where(path, lineno, 'index')}: expected a 0-based integer, got {index!r}")
        if not isinstance(pred, str):
            raise DataError(f"{where(path, lineno, 'prediction')}: expected a string, got {type(pred).__name__}")
        key = (task, index)
        if key not in known:
            if task not in last_index:
                raise DataError(f"{where(path, lineno, 'task')}: task {task!r} is not in this suite (its tasks: "
                                f"{', '.join(sorted(last_index))}); --task NAME scores only the tasks named")
            if n_per_task is not None and index > last_index[task]:
                continue  # past the rows asked for
            raise DataError(f"{where(path, lineno)}: ({task!r}, {index}) is not an instance of this suite")
        if key in preds:
            raise DataError(f"{where(path, lineno)}: duplicate prediction for ({task!r}, {index})")
        preds[key] = pred
    missing = sorted(known - preds.keys())
    if missing:
        raise DataError(f"{path}: no prediction for {len(missing)} instance(s), e.g. {missing[:5]}; to score "
                        "part of the suite, --task NAME (repeatable) and --n-per-task N (the first N rows of each task) "
                        "select it")
    return preds


def _fmt(x) -> str:
    return "–" if x is None else f"{x:.2f}"


def render_table(scores: dict) -> str:
    lines = [
        "| Variant | UD miF1 | UD maF1 | UD Rouge | PA miF1 | PA maF1 | PA Rouge | RTC miF1 | RTC maF1 | RTC Rouge | PS Rouge |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    cols = ("UD_miF1", "UD_maF1", "UD_rougeL", "PA_miF1", "PA_maF1", "PA_rougeL", "RTC_miF1", "RTC_maF1",
            "RTC_rougeL", "PS_rougeL")
    for variant in VARIANTS:
        row = scores["summary"][variant]
        lines.append(f"| {variant} | " + " | ".join(_fmt(row[c]) for c in cols) + " |")
    lines += _subset_lines(scores)
    lines += ["", "ref = published scorer (miF1 / instance-averaged maF1 or seqeval macro / whitespace Rouge-L; "
              "NER spans tagged in first-seen order, see scores.json 'scorer'); "
              "corrected = set or entity micro-F1 / per-class macro-F1 / char Rouge-L (punctuation not counted).", "",
              "| Task | level | n | " + " | ".join(METRIC_ORDER) + " |",
              "|---|---|---|" + "---|" * len(METRIC_ORDER)]
    for task, m in scores["tasks"].items():
        lines.append(f"| {task} | {m.get('level') or '–'} | {m['n']} | " +
                     " | ".join(_fmt(m.get(k)) for k in METRIC_ORDER) + " |")
    return "\n".join(lines) + "\n"


def _subset_lines(scores: dict) -> list[str]:
    """What the averages cover: the tasks scored beside them, and the subset when one was asked for."""
    lines = []
    beside = scores.get("beside_averages") or []
    if beside:
        lines += ["", "Scored beside the averages (not in the paper's test list; rows in the task table below):"]
        for task in beside:
            m = scores["tasks"][task]
            nums = "; ".join(f"{v} " + " / ".join(f"{k} {_fmt(m.get(k))}" for k in keys if k in m)
                             for v, keys in VARIANTS.items())
            lines.append(f"- {task}: {nums}")
    sub = scores.get("subset")
    if sub and not sub.get("whole", True):
        rows = "all rows" if sub.get("n_per_task") is None else f"the first {sub['n_per_task']} rows"
        tasks = "every task" if not sub.get("tasks") else f"only {', '.join(sub['tasks'])}"
        lines += ["", f"SUBSET: {rows} of {tasks} ({sub.get('rows_from') or 'asked for'}); not the whole suite."]
    for name in (sub or {}).get("absent") or []:
        lines += [f"Absent from the data directory (not scored): {name}"]
    unverified = (sub or {}).get("unverified") or []
    if unverified:  # a copy of a pinned suite laid out elsewhere: read as it is (docs/scoring.md)
        lines += ["", f"UNVERIFIED: {len(unverified)} suite file(s) not at their registered path, not checked "
                      f"against the pinned sha256: {', '.join(unverified)}"]
    return lines


def render_csv(scores: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["task", "level", "task_type", "lang", "n", *METRIC_ORDER])
    for task, m in scores["tasks"].items():
        w.writerow([task, m.get("level", ""), m.get("task_type", ""), m.get("lang", ""), m["n"],
                    *["" if m.get(k) is None else m[k] for k in METRIC_ORDER]])
    return buf.getvalue()


def score_files(scores: dict) -> dict[str, str]:
    """File name -> text of the score outputs: scores.json, scores.csv, table.md."""
    return {"scores.json": dumps_json(scores), "scores.csv": render_csv(scores), "table.md": render_table(scores)}


def write_scores(out_dir: Path, scores: dict, extra: dict[str, str] | None = None) -> None:
    """scores.json, scores.csv, table.md (and ``extra`` files) written as one set: all or none appear."""
    atomic_write_files(out_dir, {**(extra or {}), **score_files(scores)})
