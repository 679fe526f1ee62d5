"""The leak guard: no training row of an open build repeats a text of an evaluation suite.

Every suite present under the data directory is read: the published EcomGPT folders (whichever of
the 13, or more, are there: ``<data_dir>/Alibaba-NLP/EcomGPT/data/ecom_instruct_v1/*/tasks/*``) and
ChineseEcomQA. A suite's texts are each instance's input and full prompt (ChineseEcomQA: the prompt
and every ``***field***：value`` in it, e.g. the query or the product title). A training row is
compared by its input, the input part of its prompt and its prompt, both exactly and after the
builder's normalisation (case, width, whitespace). Rows that match are dropped and counted per suite;
then the check is run again and must find zero exact and zero normalised overlap, else the build
stops. The report goes into ``stats.json`` (``evaluation_suite_overlap``) and the data card, and
``suite_identity`` names the bytes of every suite file read, for the open build's cache key.

The suites' files are read through ``ecomlib.sources.published_eval`` and their prompts rendered by
``ecomlib.instruct.templates``, exactly as the evaluation suites render them: this module may import
leaf modules, sources and instruct, never evaluation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ecomlib.datadir import data_dir as default_data_dir
from ecomlib.errors import DataError, EcomlibError
from ecomlib.instruct.templates import published_shown_labels, published_test_prompt, split_prompt
from ecomlib.sources.published_eval import (CHINESE_ECOMQA_FILE, ECOMGPT_SUBDIR, chinese_ecomqa_prompt,
                                            ecomgpt_identity, file_sha256, find_ecomgpt_tasks, iter_chinese_ecomqa,
                                            iter_ecomgpt_rows, read_ecomgpt_task)
from ecomlib.text import normalise

_FIELD = re.compile(r"\*{3}[^*\n]{1,20}\*{3}\s*[：:]?")
MIN_FIELD_CHARS = 2  # a one-character field value ("A") is an option, not a leakable text


@dataclass
class SuiteTexts:
    name: str
    what: str  # e.g. "13 folders" / the file
    instances: int = 0
    exact: set[str] = field(default_factory=set)
    normalised: set[str] = field(default_factory=set)

    def add(self, text: str) -> None:
        text = text.strip()
        if text:
            self.exact.add(text)
            self.normalised.add(normalise(text))


def _ecomgpt_root(data_dir: Path) -> Path:
    root = Path(data_dir) / ECOMGPT_SUBDIR
    if not root.is_dir() and (Path(data_dir).name == ECOMGPT_SUBDIR.name):
        root = Path(data_dir)
    return root


def ecomgpt_texts(data_dir: Path) -> SuiteTexts | None:
    """Every published folder's row texts and full prompts (all candidate labels shown)."""
    root = _ecomgpt_root(data_dir)
    found = find_ecomgpt_tasks(root) if root.is_dir() else {}
    if not found:
        return None
    out = SuiteTexts("ecomgpt", f"{len(found)} published folders")  # no path: the card must not vary by machine
    for name in sorted(found):
        task = read_ecomgpt_task(found[name])
        for row in iter_ecomgpt_rows(task):
            shown = published_shown_labels(task.task_type, list(task.label_list), list(row.labels), "full")
            out.instances += 1
            out.add(row.sentences)
            out.add(published_test_prompt(task.defi, task.instruction, row.sentences, shown, task.sep))
    return out


def chinese_ecomqa_fields(prompt: str) -> list[str]:
    """The values of a ChineseEcomQA prompt's ``***name***：value`` fields (the answer slot is empty)."""
    return [v.strip() for v in _FIELD.split(prompt)[1:] if len(v.strip()) >= MIN_FIELD_CHARS]


def chinese_ecomqa_texts(data_dir: Path) -> SuiteTexts | None:
    path = Path(data_dir) / CHINESE_ECOMQA_FILE
    if not path.is_file():
        return None
    out = SuiteTexts("chinese_ecomqa", CHINESE_ECOMQA_FILE.as_posix())
    for _, row in iter_chinese_ecomqa(path):
        out.instances += 1
        for text in (chinese_ecomqa_prompt(row), row["prompt"], *chinese_ecomqa_fields(row["prompt"])):
            out.add(text)
    if not out.instances:
        raise DataError(f"{path}: no instances")
    return out


def suites_present(data_dir: Path | None) -> list[SuiteTexts]:
    if data_dir is None or not Path(data_dir).is_dir():
        return []
    return [s for s in (ecomgpt_texts(data_dir), chinese_ecomqa_texts(data_dir)) if s is not None]


def suite_identity(data_dir: Path | None) -> dict:
    """``{suite: identity}`` of every suite ``guard`` reads under ``data_dir``: each published folder's files
    and the ChineseEcomQA file with their sha256 (verified against the pins first). The open build's cache
    key carries it, since the rows the guard drops depend on these bytes."""
    if data_dir is None or not Path(data_dir).is_dir():
        return {}
    out: dict = {}
    ecomgpt = ecomgpt_identity(_ecomgpt_root(data_dir))
    if ecomgpt:
        out["ecomgpt"] = ecomgpt
    path = Path(data_dir) / CHINESE_ECOMQA_FILE
    if path.is_file():
        out["chinese_ecomqa"] = {"file": CHINESE_ECOMQA_FILE.as_posix(), "sha256": file_sha256(path)}
    return out


def _row_texts(row: dict) -> list[str]:
    texts = [row["prompt"], split_prompt(row["prompt"])["input"]]
    if isinstance(row.get("input"), str):
        texts.append(row["input"])
    return [t.strip() for t in texts if t.strip()]


def overlapping(rows: Sequence[dict], suite: SuiteTexts) -> tuple[list[int], list[int]]:
    """Positions of rows sharing a text with the suite: (exactly, after normalisation)."""
    exact, norm = [], []
    for i, row in enumerate(rows):
        texts = _row_texts(row)
        if any(t in suite.exact for t in texts):
            exact.append(i)
        if any(normalise(t) in suite.normalised for t in texts):
            norm.append(i)
    return exact, norm


def guard(train: list[dict], data_dir: Path | None = None) -> tuple[list[dict], dict]:
    """(train without rows that repeat an evaluation text, report); raises unless zero overlap is left."""
    if data_dir is None:
        data_dir = default_data_dir(required=False)
    suites = suites_present(data_dir)
    report: dict = {"suites": {}}
    for suite in suites:
        exact, norm = overlapping(train, suite)
        drop = set(exact) | set(norm)
        train = [r for i, r in enumerate(train) if i not in drop]
        after = overlapping(train, suite)
        if after[0] or after[1]:  # cannot happen after the drop; the proof is the recheck
            raise EcomlibError(f"leak guard: {len(after[1])} train rows still share a text with suite {suite.name}")
        report["suites"][suite.name] = {
            "what": suite.what, "instances": suite.instances, "texts": len(suite.exact),
            "train_rows_matching_exactly": len(exact), "train_rows_matching_normalised": len(norm),
            "train_rows_dropped": len(drop), "overlap_after": {"exact": 0, "normalised": 0},
        }
    return train, report


def card_lines(report: dict) -> list[str]:
    """The data card's section on evaluation-suite overlap."""
    if not report or not report.get("suites"):
        return ["## Evaluation-suite overlap", "",
                "No evaluation suite was found under the data directory: overlap not checked.", ""]
    lines = ["## Evaluation-suite overlap", "",
             "Train rows compared with every evaluation suite present (input, prompt input and prompt; exact "
             "and normalised text): matching rows were dropped, and the recheck found zero overlap.", "",
             "| suite | what | instances | rows matching exactly | rows matching normalised | dropped | overlap after |",
             "|---|---|---:|---:|---:|---:|---|"]
    for name, s in report["suites"].items():
        lines.append(f"| {name} | {s['what']} | {s['instances']} | {s['train_rows_matching_exactly']} | "
                     f"{s['train_rows_matching_normalised']} | {s['train_rows_dropped']} | "
                     f"{s['overlap_after']['exact']} exact, {s['overlap_after']['normalised']} normalised |")
    return lines + [""]
