"""The published evaluation data files, read raw: the EcomGPT test folders and ChineseEcomQA.

Both are data files like any source: this module finds them under the data directory, verifies a file at
its registered path against the pinned size and sha256, parses and checks its JSON, and names the bytes it
read (``file_sha256``, for cache keys). It builds no prompt and scores nothing: prompts are rendered by
``ecomlib.instruct.templates``, suites are assembled by ``ecomlib.evaluation`` and the leak guard
(``ecomlib.instruct.leak_guard``) reads its texts from here. It may import leaf modules (errors, io, schema,
datadir) and ``ecomlib.sources.verify`` only.

EcomGPT: ``<data_dir>/Alibaba-NLP/EcomGPT/data/ecom_instruct_v1/<Dataset>/tasks/<LANG-Dataset-TaskType-name>/``
with ``meta-info.json`` and ``test.json``. ChineseEcomQA: ``OpenStellarTeam/ChineseEcomQA/data/ChineseEcomQA.jsonl``,
one ``{"system_prompt", "prompt", "gt", "task"}`` object per line, ``task`` one of ten codes.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ecomlib.datadir import data_dir as default_data_dir
from ecomlib.errors import ConfigError, DataError, where
from ecomlib.io import read_jsonl, sha256_file
from ecomlib.schema import LABEL_SEP, split_task_name
from ecomlib.sources.verify import registered_pin, verify_if_registered

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
LABELLED_TASK_TYPES = ("CLS", "NER", "Condition_Extract")  # the task types whose meta names a label list

CHINESE_ECOMQA_FILE = Path("OpenStellarTeam") / "ChineseEcomQA" / "data" / "ChineseEcomQA.jsonl"
CHINESE_ECOMQA_KEYS = ("system_prompt", "prompt", "gt", "task")
# The TaskType (paradigm) each ChineseEcomQA code is filed under, for the generic metrics and the task name.
CHINESE_ECOMQA_TASK_TYPE = {"ITC": "CLS", "RLC": "CLS", "PC": "CLS", "RVC": "CLS", "CC": "CLS", "IC": "CLS",
                            "SC": "Generate", "AC": "Extract", "BC": "Generate", "IDC": "Generate"}


# ---- where the files are --------------------------------------------------------------------------------

def _suite_data_dir(data_dir: Path | None, suite: str, holds: Path) -> Path:
    """``data_dir``, or ``$ECOMLIB_DATA_DIR`` when it is None; neither: a ConfigError saying what to pass."""
    if data_dir is None:
        data_dir = default_data_dir(required=False)
        if data_dir is None:
            raise ConfigError(f"suite {suite!r} needs --data-dir or ECOMLIB_DATA_DIR (the folder holding "
                              f"{holds.as_posix()})")
    return Path(data_dir)


def ecomgpt_root(data_dir: Path | None) -> Path:
    """The ``ecom_instruct_v1`` folder: under ``data_dir`` (default ``$ECOMLIB_DATA_DIR``), or ``data_dir``
    itself when it already is that folder."""
    data_dir = _suite_data_dir(data_dir, "ecomgpt", ECOMGPT_SUBDIR)
    if (data_dir / ECOMGPT_SUBDIR).is_dir():
        return data_dir / ECOMGPT_SUBDIR
    return data_dir


def find_ecomgpt_tasks(root: Path) -> dict[str, Path]:
    """All task folders under ``root`` (``<Dataset>/tasks/<name>``), by name."""
    found: dict[str, Path] = {}
    for meta in sorted(Path(root).glob("*/tasks/*/meta-info.json")):
        found[meta.parent.name] = meta.parent
    return found


def absent_ecomgpt_tasks(data_dir: Path | None) -> list[str]:
    """The published folders (of the 13) that are not under ``data_dir``."""
    root = ecomgpt_root(data_dir)
    found = find_ecomgpt_tasks(root) if root.is_dir() else {}
    return [t for t in ECOMGPT_PUBLISHED_TASKS if t not in found]


def chinese_ecomqa_file(data_dir: Path | None) -> Path:
    """The ChineseEcomQA file under the data directory (default ``$ECOMLIB_DATA_DIR``), or ``data_dir``
    when it is the ``.jsonl`` file itself."""
    data_dir = _suite_data_dir(data_dir, "chinese_ecomqa", CHINESE_ECOMQA_FILE)
    return data_dir if data_dir.is_file() else data_dir / CHINESE_ECOMQA_FILE


def pinned_suite_files(name: str, data_dir: Path | None = None, tasks: list[str] | None = None) -> list[Path]:
    """The files a pinned suite (``ecomgpt``, ``chinese_ecomqa``) reads; [] for any other suite."""
    if name == "chinese_ecomqa":
        return [chinese_ecomqa_file(data_dir)]
    if name != "ecomgpt":
        return []
    root = ecomgpt_root(data_dir)
    found = find_ecomgpt_tasks(root) if root.is_dir() else {}
    wanted = [t for t in (tasks or ECOMGPT_PUBLISHED_TASKS) if t in found]
    return [found[t] / f for t in sorted(wanted) for f in ("meta-info.json", "test.json")]


def unverified_files(name: str, data_dir: Path | None = None, tasks: list[str] | None = None) -> list[Path]:
    """The files of a pinned suite read without verification: they sit at no registered path (a copy of
    your own laid out elsewhere). Files at a registered path are verified when loaded."""
    return [p for p in pinned_suite_files(name, data_dir, tasks) if registered_pin(p) is None]


@functools.lru_cache(maxsize=256)
def _sha256_of(path: str, signature: tuple) -> str:  # signature: a changed file is hashed again
    return sha256_file(path)


def file_sha256(path: Path) -> str:
    """A suite file's sha256, verified against its pin first when it sits at a registered path; hashed
    once per process while its size, times and inode stay the same (cache keys ask for it often)."""
    verify_if_registered(path)
    st = Path(path).stat()
    return _sha256_of(str(Path(path).resolve()), (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))


def ecomgpt_identity(root: Path, tasks: list[str] | None = None) -> dict[str, dict[str, str]]:
    """``{folder: {file: sha256}}`` of the task folders under ``root`` (all of them, or those of ``tasks``
    present): what a suite or the leak guard read, for a cache key."""
    found = find_ecomgpt_tasks(root) if Path(root).is_dir() else {}
    out: dict[str, dict[str, str]] = {}
    for name in sorted(t for t in (found if tasks is None else tasks) if t in found):
        for f in ("meta-info.json", "test.json"):
            out.setdefault(name, {})[f] = file_sha256(found[name] / f)
    return out


# ---- EcomGPT task folders -----------------------------------------------------------------------------

def _load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: invalid UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None


def need(ok: bool, path: Path, line: int | None, fld: str | None, what: str) -> None:
    """A DataError naming the file, line and field unless ``ok``."""
    if not ok:
        raise DataError(f"{where(path, line, fld)}: expected {what}")


@dataclass(frozen=True)
class EcomgptTask:
    """One published task folder's ``meta-info.json``, checked."""

    folder: Path
    name: str  # the folder name is authoritative: some meta 'task' fields are wrong
    lang: str  # "EN" | "ZH", as in the name
    task_type: str
    defi: str | None
    instruction: str  # test_prompt.instruction: a format string of sentences, label_set, ex
    sep: str
    label_key: str | None
    label_list: tuple[str, ...]  # CLS / NER / Condition_Extract: the task's labels; () otherwise

    @property
    def kind(self) -> str:
        return self.name.split("-", 3)[3]


@dataclass(frozen=True)
class EcomgptRow:
    """One line of a task's ``test.json``, checked: ``labels`` (CLS gold labels) or ``spans`` (the rest)."""

    index: int  # 0-based row of the file
    sentences: str  # token lists joined, as the reference does
    labels: tuple[str, ...] = ()
    spans: tuple[dict, ...] = ()
    row_label_set: object = None  # an NER row's own label_set, kept as metadata
    has_row_label_set: bool = False


def read_ecomgpt_task(folder: Path) -> EcomgptTask:
    """A task folder's meta, its files verified first when they sit at their registered paths."""
    folder = Path(folder)
    name = folder.name
    try:
        lang, _, task_type, _ = split_task_name(name)
    except ValueError as exc:
        raise DataError(f"{folder}: {exc}") from None
    meta_path, test_path = folder / "meta-info.json", folder / "test.json"
    for path in (meta_path, test_path):
        if path.is_file():  # a published file at its registered path: its pinned size and sha256
            verify_if_registered(path)
    meta = _load_json(meta_path)
    need(isinstance(meta, dict), meta_path, None, "(top level)", "a JSON object")
    for key in ("defi", "test_prompt"):
        need(key in meta, meta_path, None, key, "this key to be present")
    instruction = meta["test_prompt"].get("instruction") if isinstance(meta["test_prompt"], dict) else None
    need(isinstance(instruction, str), meta_path, None, "test_prompt.instruction", "a string")
    label_list: list[str] = []
    if task_type in LABELLED_TASK_TYPES:
        key, sets = meta.get("label_key"), meta.get("label_set")
        need(isinstance(sets, dict) and key in sets, meta_path, None, "label_key", f"a key of label_set (got {key!r})")
        label_list = list(sets[key])
    return EcomgptTask(folder=folder, name=name, lang=lang, task_type=task_type, defi=meta["defi"],
                       instruction=instruction, sep=meta.get("label_sep", LABEL_SEP), label_key=meta.get("label_key"),
                       label_list=tuple(label_list))


def iter_ecomgpt_rows(task: EcomgptTask) -> Iterator[EcomgptRow]:
    """The rows of a task's ``test.json``, each checked as it is read (a caller may stop early)."""
    test_path = task.folder / "test.json"
    for lineno, row in enumerate(read_jsonl(test_path), start=1):
        sent = row.get("sentences")
        if isinstance(sent, list):  # token lists are joined, as the reference does
            sent = "".join(sent)
        need(isinstance(sent, str), test_path, lineno, "sentences", "a string")
        if task.task_type == "CLS":
            labels = row.get("labels")
            need(isinstance(labels, dict) and isinstance(labels.get(task.label_key), list),
                 test_path, lineno, f"labels.{task.label_key}", "a list of labels")
            yield EcomgptRow(lineno - 1, sent, labels=tuple(str(x) for x in labels[task.label_key]))
            continue
        spans = row.get("spans", [])
        need(isinstance(spans, list) and all(isinstance(s, dict) and isinstance(s.get("term"), str) for s in spans),
             test_path, lineno, "spans", "a list of {term, type, start, end} objects")
        if task.task_type == "NER":
            need(all(isinstance(s.get("type"), str) for s in spans), test_path, lineno, "spans[].type", "strings")
        yield EcomgptRow(lineno - 1, sent, spans=tuple(spans), row_label_set=row.get("label_set"),
                         has_row_label_set="label_set" in row)


# ---- ChineseEcomQA ------------------------------------------------------------------------------------

def chinese_ecomqa_task(code: str) -> str:
    """The task name of a ChineseEcomQA code: ``ZH-ChineseEcomQA-<TaskType>-<code>``."""
    return f"ZH-ChineseEcomQA-{CHINESE_ECOMQA_TASK_TYPE[code]}-{code}"


def chinese_ecomqa_prompt(row: dict) -> str:
    """What the model sees: ``system_prompt`` (task statement and few-shot examples), a newline, ``prompt``."""
    return row["system_prompt"].rstrip("\n") + "\n" + row["prompt"]


def _check_chinese_ecomqa_row(path: Path, lineno: int, row: dict) -> None:
    for key in CHINESE_ECOMQA_KEYS:
        if not isinstance(row.get(key), str):
            raise DataError(f"{where(path, lineno, key)}: expected a string")
    if row["task"] not in CHINESE_ECOMQA_TASK_TYPE:
        raise DataError(f"{where(path, lineno, 'task')}: expected one of {sorted(CHINESE_ECOMQA_TASK_TYPE)}, "
                        f"got {row['task']!r}")


def iter_chinese_ecomqa(path: Path) -> Iterator[tuple[int, dict]]:
    """``(line number, row)`` of the ChineseEcomQA file, verified first at its registered path, each row checked."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: not found (run `ecomlib fetch-data --dest DIR --only ChineseEcomQA`)")
    verify_if_registered(path)  # at its registered path: the pinned size and sha256, else a DataError
    for lineno, row in enumerate(read_jsonl(path), start=1):
        _check_chinese_ecomqa_row(path, lineno, row)
        yield lineno, row
