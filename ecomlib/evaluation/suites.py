"""Evaluation suites: the published EcomGPT test folders, and the held-out split of a built EcomInstruct.

``ecomgpt`` reads ``<root>/<Dataset>/tasks/<LANG-Dataset-TaskType-name>/{meta-info.json,test.json}``
and builds each prompt exactly as the published ``src/eval.py`` does: a fixed head naming the task's
``defi``, then ``meta-info.json``'s ``test_prompt.instruction`` formatted with ``sentences``,
``label_set`` and ``ex`` (``ecomlib.instruct.templates.published_prompt``, the function that renders
training rows in the ``published`` layout). Gold outputs follow each scorer class's ``encode_to_input_output``.

``synthetic`` / ``open`` read ``<data_dir>/ecominstruct/heldout.jsonl`` (row keys in ecomlib.schema).

``jsonl`` reads a held-out file of your own, one instance per line (``load_jsonl_suite``).

``chinese_ecomqa`` reads ChineseEcomQA (2025, evaluation only): ``ecomlib.evaluation.chinese_ecomqa``.

These are the file-level loaders the ``score`` / ``evaluate`` verbs name with ``--suite``; the study's suites
(held-out, held-in, published, ChineseEcomQA) are declared in ``ecomlib.evaluation.registry`` on top of
them. Raw reading of the published files is ``ecomlib.sources.published_eval``'s; prompts are rendered by
``ecomlib.instruct.templates``. May import leaf modules, sources, instruct and evaluation modules below it.
"""

from __future__ import annotations

from pathlib import Path

from ecomlib.errors import ConfigError, DataError
from ecomlib.evaluation import chinese_ecomqa
from ecomlib.evaluation.instance import EvalInstance
from ecomlib.instruct.templates import published_shown_labels, published_test_prompt
from ecomlib.seeding import stable_seed
from ecomlib.io import read_jsonl
from ecomlib.schema import LEVELS, PARADIGM_OF_TASK_TYPE, TASK_TYPES
from ecomlib.sources.published_eval import (ECOMGPT_PUBLISHED_TASKS, ECOMGPT_TEST_TASKS, ECOMGPT_UNSEEN_TASKS,
                                            EcomgptRow, EcomgptTask, ecomgpt_root, find_ecomgpt_tasks,
                                            iter_ecomgpt_rows, need, read_ecomgpt_task)

# The names `load_suite` (the score / evaluate verbs' --suite) takes; the study's suites: registry.SUITES.
LOAD_SUITE_NAMES = ("ecomgpt", "synthetic", "open", "jsonl", "chinese_ecomqa")



def _ecomgpt_gold(task: EcomgptTask, row: EcomgptRow) -> str:
    """The gold output as each reference scorer class's ``encode_to_input_output`` writes it."""
    sep, terms = task.sep, [s["term"] for s in row.spans]  # offsets may not index sentences: use term
    if task.task_type == "CLS":
        return sep.join(row.labels)
    if task.task_type == "NER":
        by_type: dict[str, list[str]] = {}
        for s in row.spans:
            by_type.setdefault(s["type"], []).append(s["term"])
        return "\n".join(f"{t}: {sep.join(by_type.get(t, ['None']))}" for t in task.label_list)
    if task.task_type == "Condition_Extract":
        return ", ".join(terms)
    return sep.join(terms)  # Extract, Generate


def ecomgpt_level(name: str) -> str:
    """``unseen_task`` / ``unseen_dataset`` for a task of the paper's test list, ``""`` for any other."""
    if name not in ECOMGPT_TEST_TASKS:
        return ""
    return "unseen_task" if name.split("-", 3)[3] in ECOMGPT_UNSEEN_TASKS else "unseen_dataset"


def load_ecomgpt_task(
    folder: Path, *, candidates: str = "sampled", seed: int = 0, n: int | None = None
) -> list[EvalInstance]:
    """Load one task folder (any of the five TaskTypes) into evaluation instances."""
    task = read_ecomgpt_task(folder)
    if candidates not in ("sampled", "full"):
        raise ConfigError(f"candidates={candidates!r}: expected 'sampled' or 'full'")
    level = ecomgpt_level(task.name)
    out: list[EvalInstance] = []
    for row in iter_ecomgpt_rows(task):
        if n is not None and len(out) >= n:
            break
        shown = published_shown_labels(task.task_type, list(task.label_list), list(row.labels), candidates,
                                       stable_seed(seed, task.name, row.index))
        # the reference's EN_NER uses the task's label list; a per-row label_set is kept as metadata
        meta = {"row_label_set": row.row_label_set} if task.task_type == "NER" and row.has_row_label_set else {}
        out.append(EvalInstance(
            task=task.name, index=row.index,
            prompt=published_test_prompt(task.defi, task.instruction, row.sentences, shown, task.sep),
            gold=_ecomgpt_gold(task, row), task_type=task.task_type, paradigm=PARADIGM_OF_TASK_TYPE[task.task_type],
            lang=task.lang.lower(), level=level, label_set=tuple(shown), text=row.sentences, meta=meta,
        ))
    return out


def load_heldout(path: Path, n_per_task: int | None = None) -> list[EvalInstance]:
    """Rows of a built EcomInstruct held-out file, ``n_per_task`` lowest indices per task."""
    path = Path(path)
    out: list[EvalInstance] = []
    seen: set[tuple[str, int]] = set()
    for lineno, row in enumerate(read_jsonl(path), start=1):
        for key, tp in (("task", str), ("index", int), ("prompt", str), ("output", str), ("task_type", str)):
            need(isinstance(row.get(key), tp) and not isinstance(row.get(key), bool), path, lineno, key,
                  f"a {tp.__name__}")
        need(row["task_type"] in TASK_TYPES, path, lineno, "task_type", f"one of {TASK_TYPES}")
        k = (row["task"], row["index"])
        need(k not in seen, path, lineno, "index", f"a (task, index) pair not seen before, got {k}")
        seen.add(k)
        cands = row.get("candidates") or []
        out.append(EvalInstance(
            task=row["task"], index=row["index"], prompt=row["prompt"], gold=row["output"],
            task_type=row["task_type"], paradigm=row.get("paradigm") or PARADIGM_OF_TASK_TYPE[row["task_type"]],
            lang=row.get("lang", ""), level=row.get("level", ""), label_set=tuple(str(c) for c in cands),
            # no separate input text in a row: NER reference tagging searches the prompt instead
            text=row.get("input") if isinstance(row.get("input"), str) else row["prompt"],
        ))
    out.sort(key=lambda i: (i.task, i.index))
    if n_per_task is not None:
        counts: dict[str, int] = {}
        kept = []
        for inst in out:
            if counts.get(inst.task, 0) < n_per_task:
                kept.append(inst)
                counts[inst.task] = counts.get(inst.task, 0) + 1
        out = kept
    return out


# One line of a custom held-out file: required keys with their types, then optional ones.
JSONL_REQUIRED = {"task": str, "prompt": str, "gold": str, "task_type": str, "lang": str}
JSONL_OPTIONAL = {"index": int, "label_set": list, "text": str, "level": str, "meta": dict}


def _check_jsonl_row(path: Path, lineno: int, row: dict) -> None:
    unknown = sorted(set(row) - set(JSONL_REQUIRED) - set(JSONL_OPTIONAL))
    need(not unknown, path, lineno, unknown[0] if unknown else None,
          f"only the keys {sorted(JSONL_REQUIRED)} and optionally {sorted(JSONL_OPTIONAL)} (unknown: {unknown})")
    for key, tp in {**JSONL_REQUIRED, **JSONL_OPTIONAL}.items():
        if key not in row and key in JSONL_OPTIONAL:
            continue
        value = row.get(key)
        got = type(value).__name__ if key in row else "nothing (missing)"
        need(isinstance(value, tp) and not isinstance(value, bool), path, lineno, key,
              f"{'an' if tp is int else 'a'} {tp.__name__}, got {got}")
    need(bool(row["task"].strip()), path, lineno, "task", "a non-empty task name")
    need(bool(row["prompt"].strip()), path, lineno, "prompt", "a non-empty prompt")
    need(row["task_type"] in TASK_TYPES, path, lineno, "task_type", f"one of {TASK_TYPES}, got {row['task_type']!r}")
    need(row["lang"] in ("en", "zh"), path, lineno, "lang", f"'en' or 'zh', got {row['lang']!r}")
    need(row.get("level", "unseen_dataset") in (*LEVELS, ""), path, lineno, "level",
          f"one of {LEVELS} or '', got {row.get('level')!r}")
    need(all(isinstance(x, str) for x in row.get("label_set", [])), path, lineno, "label_set", "a list of strings")
    need(row.get("index", 0) >= 0, path, lineno, "index", "a 0-based integer >= 0")
    if row["task_type"] == "NER":
        _check_ner_gold(path, lineno, row["task"], row["gold"])


def _check_ner_gold(path: Path, lineno: int, task: str, gold: str) -> None:
    """An NER gold is one ``Type: span, span`` line per type (``Type: None`` when it has none), as the
    reference's parser reads it: any other line would be dropped silently and the task scored against less."""
    lines = [ln.rstrip("\r") for ln in gold.split("\n") if ln.strip()]
    bad = next((ln for ln in lines if ": " not in ln or not ln.split(": ", 1)[0].strip()
                or not ln.split(": ", 1)[1].strip()), None) if lines else gold
    need(bad is None, path, lineno, "gold",
          f"one 'Type: span, span' line per type ('Type: None' when it has none), as the NER task {task!r} "
          f"needs, got {bad!r}")


def load_jsonl_suite(path: Path, n_per_task: int | None = None) -> list[EvalInstance]:
    """A held-out suite of your own: one JSON object per line of ``path``.

    Required: ``task`` (str; ``LANG-Dataset-TaskType-name`` is recommended, the last part picks the
    paper's PA/RTC/PS columns), ``prompt`` (the full prompt the model sees), ``gold`` (the reference
    answer, formatted as ``ecomlib.schema`` says for its TaskType), ``task_type`` (one of TASK_TYPES),
    ``lang`` (``en``/``zh``). Optional: ``index`` (0-based, unique per task; default: the row's
    position within its task), ``label_set`` (candidate labels shown), ``text`` (the input alone; NER
    reference scoring tags spans found in it; default the prompt), ``level`` (``unseen_dataset``
    (default, averaged into the UD columns), ``unseen_task`` or ``""``), ``meta`` (kept, not scored).
    Any other key is an error (it is usually a misspelt one). ``n_per_task`` keeps the lowest indices.
    """
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path}: suite 'jsonl' needs --data-dir to be a .jsonl file, not a directory")
    out: list[EvalInstance] = []
    seen: set[tuple[str, int]] = set()
    next_index: dict[str, int] = {}
    for lineno, row in enumerate(read_jsonl(path), start=1):
        _check_jsonl_row(path, lineno, row)
        task = row["task"]
        index = row.get("index", next_index.get(task, 0))
        need((task, index) not in seen, path, lineno, "index",
              f"a (task, index) pair not seen before, got ({task!r}, {index})")
        seen.add((task, index))
        next_index[task] = max(next_index.get(task, 0), index + 1)
        out.append(EvalInstance(
            task=task, index=index, prompt=row["prompt"], gold=row["gold"], task_type=row["task_type"],
            paradigm=PARADIGM_OF_TASK_TYPE[row["task_type"]], lang=row["lang"],
            level=row.get("level", "unseen_dataset"), label_set=tuple(row.get("label_set", ())),
            text=row.get("text", row["prompt"]), meta=dict(row.get("meta", {})),
        ))
    if not out:
        raise DataError(f"{path}: no instances (expected one JSON object per line)")
    out.sort(key=lambda i: (i.task, i.index))
    return _lowest_per_task(out, n_per_task)


def _lowest_per_task(instances: list[EvalInstance], n_per_task: int | None) -> list[EvalInstance]:
    """The first ``n_per_task`` instances of each task (``instances`` sorted by task, index)."""
    if n_per_task is None:
        return instances
    position = {}
    kept = []
    for inst in instances:
        position[inst.task] = position.get(inst.task, 0) + 1
        if position[inst.task] <= n_per_task:
            kept.append(inst)
    return kept


def load_suite(
    name: str,
    data_dir: Path | None = None,
    n_per_task: int | None = None,
    *,
    candidates: str = "sampled",
    seed: int = 0,
    tasks: list[str] | None = None,
) -> list[EvalInstance]:
    """Instances of a suite, sorted by (task, index).

    ``ecomgpt``: ``data_dir`` is the data directory (or the ``ecom_instruct_v1`` folder itself);
    every one of the 13 published folders present there is loaded (the 12 of the paper's test list
    plus ``ECOMGPT_EXTRA_TASKS``, level ``""``: scored, not averaged); ``tasks`` picks folders by name,
    any folder found included. ``candidates``: ``sampled`` (the reference's random candidate
    labels, seeded) or ``full`` (the whole label set).
    ``synthetic`` / ``open``: ``data_dir`` is the build directory holding ``ecominstruct/heldout.jsonl``.
    ``jsonl``: ``data_dir`` is a JSONL file of your own instances (``load_jsonl_suite``).
    ``chinese_ecomqa``: ``data_dir`` is the data directory (default ``$ECOMLIB_DATA_DIR``) or the file.
    """
    if n_per_task is not None and n_per_task <= 0:
        raise ConfigError(f"n_per_task={n_per_task}: expected a positive integer")
    if name == "ecomgpt":
        root = ecomgpt_root(data_dir)
        if not root.is_dir():
            raise DataError(f"{root}: not a directory (expected <Dataset>/tasks/<task>/ folders)")
        found = find_ecomgpt_tasks(root)
        wanted = list(tasks) if tasks else [t for t in ECOMGPT_PUBLISHED_TASKS if t in found]
        missing = [t for t in wanted if t not in found]
        if missing or not wanted:
            raise DataError(f"{root}: no task folder for {missing or list(ECOMGPT_PUBLISHED_TASKS)}")
        out: list[EvalInstance] = []
        for t in sorted(wanted):
            out.extend(load_ecomgpt_task(found[t], candidates=candidates, seed=seed, n=n_per_task))
        return out
    if name in ("synthetic", "open"):
        if data_dir is None:
            raise ConfigError(f"suite {name!r} needs --data-dir: the build directory with ecominstruct/heldout.jsonl")
        path = Path(data_dir) / "ecominstruct" / "heldout.jsonl"
        if not path.is_file() and Path(data_dir).name == "ecominstruct":
            path = Path(data_dir) / "heldout.jsonl"
        out = load_heldout(path, n_per_task)
        if tasks:
            out = [i for i in out if i.task in set(tasks)]
        return out
    if name == "jsonl":
        if data_dir is None:
            raise ConfigError("suite 'jsonl' needs --data-dir: the .jsonl file of held-out instances")
        out = load_jsonl_suite(Path(data_dir), n_per_task)
        return [i for i in out if i.task in set(tasks)] if tasks else out
    if name == "chinese_ecomqa":  # data_dir: the data directory or the .jsonl itself
        return chinese_ecomqa.load(data_dir, n_per_task, tasks)
    raise ConfigError(f"suite {name!r}: expected one of {LOAD_SUITE_NAMES}")
