"""Evaluation suites: the published EcomGPT test folders, and the held-out split of a built EcomInstruct.

``ecomgpt`` reads ``<root>/<Dataset>/tasks/<LANG-Dataset-TaskType-name>/{meta-info.json,test.json}``
and builds each prompt exactly as the published ``src/eval.py`` does: a fixed head naming the task's
``defi``, then ``meta-info.json``'s ``test_prompt.instruction`` formatted with ``sentences``,
``label_set`` and ``ex`` (``ecomlib.instruct.templates.published_prompt``, the function that renders
training rows in the ``published`` layout). Gold outputs follow each scorer class's ``encode_to_input_output``.

``synthetic`` / ``open`` read ``<data_dir>/ecominstruct/heldout.jsonl`` (row keys in ecomlib.schema).

``jsonl`` reads a held-out file of your own, one instance per line (``load_jsonl_suite``).

``chinese_ecomqa`` reads ChineseEcomQA (2025, evaluation only): ``ecomlib.evaluation.chinese_ecomqa``.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from ecomlib.errors import ConfigError, DataError, where
from ecomlib.instruct.templates import PUBLISHED_HEAD, published_prompt
from ecomlib.io import read_jsonl
from ecomlib.schema import LABEL_SEP, LEVELS, PARADIGM_OF_TASK_TYPE, TASK_TYPES, split_task_name
from ecomlib.seeding import stable_seed
from ecomlib.sources.verify import verify_if_registered

SUITES = ("ecomgpt", "synthetic", "open", "jsonl", "chinese_ecomqa")
ECOMGPT_SUBDIR = Path("Alibaba-NLP") / "EcomGPT" / "data" / "ecom_instruct_v1"

# src/test_tasks.txt of the published repo: the 12 held-out tasks (paper §5.1).
ECOMGPT_TEST_TASKS = (
    "EN-Lenovo-NER-NER",
    "EN-Lenovo-Condition_Extract-Condition_Extract",
    "EN-Reddit_QA-Extract-Extract_QA",
    "EN-ABSA-CLS-review_topic_category",
    "ZH-MEPAVE-NER-attribute_value_extraction",
    "ZH-MEPAVE-Condition_Extract-attribute_value_detection",
    "ZH-Multi_CPR-Extract-product_select_2",
    "ZH-OpenBG_Align-CLS-item_align",
    "ZH-OpenBG_Align-CLS-title_attribute_matching",
    "ZH-OpenBG_Align-CLS-item_fine_classify",
    "ZH-OpenBG_Align-CLS-item_coarse_classify",
    "ZH-OpenBG_Align-Generate-title_generate",
)
ECOMGPT_UNSEEN_TASKS = ("item_align", "review_topic_category", "product_select_2")
# Shipped with the 12 but not in the test list: scored beside the paper's averages, never inside them.
ECOMGPT_EXTRA_TASKS = ("ZH-Multi_CPR-CLS-query_item_matching",)
ECOMGPT_PUBLISHED_TASKS = ECOMGPT_TEST_TASKS + ECOMGPT_EXTRA_TASKS

# The reference's prompt head (identical in every scorer class): the published layout's own function.
HEAD = PUBLISHED_HEAD
MAX_SAMPLED_LABELS = 50  # the reference draws np.random.randint(50) candidate labels


@dataclass(frozen=True)
class EvalInstance:
    task: str
    index: int  # 0-based row of the task's test file
    prompt: str
    gold: str
    task_type: str
    paradigm: str
    lang: str  # "en" | "zh"
    level: str  # "unseen_dataset" | "unseen_task" | "" (not in the test list)
    label_set: tuple[str, ...] = ()  # candidate labels / NER types shown in the prompt
    text: str = ""  # the input text; NER reference scoring tags spans found in it
    meta: dict = field(default_factory=dict, compare=False, hash=False)


def default_ecomgpt_root() -> Path:
    d = os.environ.get("ECOMLIB_DATA_DIR")
    if not d:
        raise ConfigError(
            "suite 'ecomgpt' needs --data-dir or ECOMLIB_DATA_DIR (the folder holding "
            f"{ECOMGPT_SUBDIR.as_posix()})"
        )
    return Path(d) / ECOMGPT_SUBDIR


def _ecomgpt_root(data_dir: Path | None) -> Path:
    """Accept the data directory itself, or a path that already is ``ecom_instruct_v1``."""
    if data_dir is None:
        return default_ecomgpt_root()
    data_dir = Path(data_dir)
    if (data_dir / ECOMGPT_SUBDIR).is_dir():
        return data_dir / ECOMGPT_SUBDIR
    return data_dir


def _load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: invalid UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None


def _need(ok: bool, path: Path, line: int | None, fld: str, what: str) -> None:
    if not ok:
        raise DataError(f"{where(path, line, fld)}: expected {what}")


def _sampled_labels(label_list: list[str], pos: list[str], seed: int) -> list[str]:
    """The reference's candidate sampling, seeded: shuffle, keep randint(50), add the gold labels."""
    rng = random.Random(seed)
    pool = list(label_list)
    rng.shuffle(pool)
    kept = pool[: rng.randrange(MAX_SAMPLED_LABELS)]
    # the reference takes list(set(...)): an unordered union; we dedupe and shuffle deterministically
    union = sorted(set(kept) | set(pos))
    rng.shuffle(union)
    return union


def load_ecomgpt_task(
    folder: Path, *, candidates: str = "sampled", seed: int = 0, n: int | None = None
) -> list[EvalInstance]:
    """Load one task folder (any of the five TaskTypes) into evaluation instances."""
    folder = Path(folder)
    name = folder.name  # the folder name is authoritative: some meta 'task' fields are wrong
    try:
        lang, _, task_type, _ = split_task_name(name)
    except ValueError as exc:
        raise DataError(f"{folder}: {exc}") from None
    meta_path, test_path = folder / "meta-info.json", folder / "test.json"
    for path in (meta_path, test_path):
        if path.is_file():  # a published file at its registered path: its pinned size and sha256
            verify_if_registered(path)
    meta = _load_json(meta_path)
    _need(isinstance(meta, dict), meta_path, None, "(top level)", "a JSON object")
    for key in ("defi", "test_prompt"):
        _need(key in meta, meta_path, None, key, "this key to be present")
    instruction = meta["test_prompt"].get("instruction") if isinstance(meta["test_prompt"], dict) else None
    _need(isinstance(instruction, str), meta_path, None, "test_prompt.instruction", "a string")
    sep = meta.get("label_sep", LABEL_SEP)
    label_list: list[str] = []
    if task_type in ("CLS", "NER", "Condition_Extract"):
        key = meta.get("label_key")
        sets = meta.get("label_set")
        _need(isinstance(sets, dict) and key in sets, meta_path, None, "label_key",
              f"a key of label_set (got {key!r})")
        label_list = list(sets[key])
    if candidates not in ("sampled", "full"):
        raise ConfigError(f"candidates={candidates!r}: expected 'sampled' or 'full'")
    template = published_prompt(meta["defi"], instruction)  # the layout data.layout=published trains in
    task_kind = name.split("-", 3)[3]
    level = ("unseen_task" if task_kind in ECOMGPT_UNSEEN_TASKS else "unseen_dataset") if name in ECOMGPT_TEST_TASKS else ""

    out: list[EvalInstance] = []
    for lineno, row in enumerate(read_jsonl(test_path), start=1):
        if n is not None and len(out) >= n:
            break
        sent = row.get("sentences")
        if isinstance(sent, list):  # token lists are joined, as the reference does
            sent = "".join(sent)
        _need(isinstance(sent, str), test_path, lineno, "sentences", "a string")
        shown: list[str] = []
        if task_type == "CLS":
            labels = row.get("labels")
            _need(isinstance(labels, dict) and isinstance(labels.get(meta["label_key"]), list),
                  test_path, lineno, f"labels.{meta['label_key']}", "a list of labels")
            pos = [str(x) for x in labels[meta["label_key"]]]
            if candidates == "full":
                shown = label_list + [p for p in dict.fromkeys(pos) if p not in label_list]
            else:
                shown = _sampled_labels(label_list, pos, stable_seed(seed, name, lineno - 1))
            gold = sep.join(pos)
            label_str = sep.join(shown)
        else:
            spans = row.get("spans", [])
            _need(isinstance(spans, list) and all(isinstance(s, dict) and isinstance(s.get("term"), str) for s in spans),
                  test_path, lineno, "spans", "a list of {term, type, start, end} objects")
            terms = [s["term"] for s in spans]  # offsets may not index sentences: use term
            if task_type == "NER":
                _need(all(isinstance(s.get("type"), str) for s in spans), test_path, lineno, "spans[].type", "strings")
                by_type: dict[str, list[str]] = {}
                for s in spans:
                    by_type.setdefault(s["type"], []).append(s["term"])
                # the reference's EN_NER uses the task's label list; a per-row label_set is kept as metadata
                shown = label_list
                gold = "\n".join(f"{t}: {sep.join(by_type.get(t, ['None']))}" for t in label_list)
                label_str = sep.join(label_list)
            elif task_type == "Condition_Extract":
                shown = label_list
                gold = ", ".join(terms)
                label_str = sep.join(label_list)
            else:  # Extract, Generate
                gold = sep.join(terms)
                label_str = ""
        prompt = template.format(sentences=sent, label_set=label_str, ex="")
        out.append(EvalInstance(
            task=name, index=lineno - 1, prompt=prompt, gold=gold, task_type=task_type,
            paradigm=PARADIGM_OF_TASK_TYPE[task_type], lang=lang.lower(), level=level,
            label_set=tuple(shown), text=sent,
            meta={"row_label_set": row.get("label_set")} if task_type == "NER" and "label_set" in row else {},
        ))
    return out


def absent_ecomgpt_tasks(data_dir: Path | None) -> list[str]:
    """The published folders (of the 13) that are not under ``data_dir``."""
    root = _ecomgpt_root(data_dir)
    found = find_ecomgpt_tasks(root) if root.is_dir() else {}
    return [t for t in ECOMGPT_PUBLISHED_TASKS if t not in found]


def find_ecomgpt_tasks(root: Path) -> dict[str, Path]:
    """All task folders under ``root`` (``<Dataset>/tasks/<name>``), by name."""
    found: dict[str, Path] = {}
    for meta in sorted(Path(root).glob("*/tasks/*/meta-info.json")):
        found[meta.parent.name] = meta.parent
    return found


def pinned_suite_files(name: str, data_dir: Path | None = None, tasks: list[str] | None = None) -> list[Path]:
    """The files a pinned suite (``ecomgpt``, ``chinese_ecomqa``) reads; [] for any other suite."""
    if name == "chinese_ecomqa":
        from ecomlib.evaluation.chinese_ecomqa import suite_file

        return [suite_file(data_dir)]
    if name != "ecomgpt":
        return []
    root = _ecomgpt_root(data_dir)
    found = find_ecomgpt_tasks(root) if root.is_dir() else {}
    wanted = [t for t in (tasks or ECOMGPT_PUBLISHED_TASKS) if t in found]
    return [found[t] / f for t in sorted(wanted) for f in ("meta-info.json", "test.json")]


def unverified_files(name: str, data_dir: Path | None = None, tasks: list[str] | None = None) -> list[Path]:
    """The files of a pinned suite read without verification: they sit at no registered path (a copy of
    your own laid out elsewhere). Files at a registered path are verified when loaded."""
    from ecomlib.sources.verify import registered_pin

    return [p for p in pinned_suite_files(name, data_dir, tasks) if registered_pin(p) is None]


def load_heldout(path: Path, n_per_task: int | None = None) -> list[EvalInstance]:
    """Rows of a built EcomInstruct held-out file, ``n_per_task`` lowest indices per task."""
    path = Path(path)
    out: list[EvalInstance] = []
    seen: set[tuple[str, int]] = set()
    for lineno, row in enumerate(read_jsonl(path), start=1):
        for key, tp in (("task", str), ("index", int), ("prompt", str), ("output", str), ("task_type", str)):
            _need(isinstance(row.get(key), tp) and not isinstance(row.get(key), bool), path, lineno, key,
                  f"a {tp.__name__}")
        _need(row["task_type"] in TASK_TYPES, path, lineno, "task_type", f"one of {TASK_TYPES}")
        k = (row["task"], row["index"])
        _need(k not in seen, path, lineno, "index", f"a (task, index) pair not seen before, got {k}")
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
    _need(not unknown, path, lineno, unknown[0] if unknown else None,
          f"only the keys {sorted(JSONL_REQUIRED)} and optionally {sorted(JSONL_OPTIONAL)} (unknown: {unknown})")
    for key, tp in {**JSONL_REQUIRED, **JSONL_OPTIONAL}.items():
        if key not in row and key in JSONL_OPTIONAL:
            continue
        value = row.get(key)
        got = type(value).__name__ if key in row else "nothing (missing)"
        _need(isinstance(value, tp) and not isinstance(value, bool), path, lineno, key,
              f"{'an' if tp is int else 'a'} {tp.__name__}, got {got}")
    _need(bool(row["task"].strip()), path, lineno, "task", "a non-empty task name")
    _need(bool(row["prompt"].strip()), path, lineno, "prompt", "a non-empty prompt")
    _need(row["task_type"] in TASK_TYPES, path, lineno, "task_type", f"one of {TASK_TYPES}, got {row['task_type']!r}")
    _need(row["lang"] in ("en", "zh"), path, lineno, "lang", f"'en' or 'zh', got {row['lang']!r}")
    _need(row.get("level", "unseen_dataset") in (*LEVELS, ""), path, lineno, "level",
          f"one of {LEVELS} or '', got {row.get('level')!r}")
    _need(all(isinstance(x, str) for x in row.get("label_set", [])), path, lineno, "label_set", "a list of strings")
    _need(row.get("index", 0) >= 0, path, lineno, "index", "a 0-based integer >= 0")
    if row["task_type"] == "NER":
        _check_ner_gold(path, lineno, row["task"], row["gold"])


def _check_ner_gold(path: Path, lineno: int, task: str, gold: str) -> None:
    """An NER gold is one ``Type: span, span`` line per type (``Type: None`` when it has none), as the
    reference's parser reads it: any other line would be dropped silently and the task scored against less."""
    lines = [ln.rstrip("\r") for ln in gold.split("\n") if ln.strip()]
    bad = next((ln for ln in lines if ": " not in ln or not ln.split(": ", 1)[0].strip()
                or not ln.split(": ", 1)[1].strip()), None) if lines else gold
    _need(bad is None, path, lineno, "gold",
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
        _need((task, index) not in seen, path, lineno, "index",
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
        root = _ecomgpt_root(data_dir)
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
        from ecomlib.evaluation import chinese_ecomqa

        return chinese_ecomqa.load(data_dir, n_per_task, tasks)
    raise ConfigError(f"suite {name!r}: expected one of {SUITES}")
