"""Small display helpers for the teaching notebooks (01-03): they turn the library's objects into
tables a reader can look at. No study logic lives here; each function only reshapes what the
builder, the registry, the templates and the pipeline already produce.

- sources / registry / held-out suite as tables (``sources_table``, ``registry_table``, ``heldout_table``)
- the six-part instruction of one row (``six_parts``) and one instance under every template variant
  (``template_variants``)
- counts from a build's ``stats.json`` (``load_stats``, ``stats_table``)
- the atomic Chain-of-Task tasks one record yields (``atomic_tasks``)
- the pseudo-labeler's measured error rate (``pseudo_error_rates``)
- train/held-out overlap of normalised prompts and inputs (``overlap``)
- loss curves and the Table-4 layout for notebook 03 (``history_frame``, ``table4_frame``)
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from ecomlib.instruct import cot
from ecomlib.instruct.kinds import KIND_FUNCS, Context
from ecomlib.instruct.render import format_output
from ecomlib.instruct.tasks import make_task
from ecomlib.instruct.templates import TemplateVariant, prompts_for, render, split_prompt
from ecomlib.recordtypes import RawRecord, SourceSpec
from ecomlib.schema import UNSEEN_TASK_KINDS, split_task_name
from ecomlib.seeding import stable_seed
from ecomlib.text import normalise

PART_NAMES = {
    "task": "1. task description",
    "prompt": "2. prompt",
    "input": "3. input",
    "candidates": "4. candidate labels",
    "constraint": "5. output constraint",
    "output": "6. output",
}


# ------------------------------------------------------------------------------------------ sources
def sources_table(specs: Iterable[SourceSpec]) -> pd.DataFrame:
    """One row per source dataset: language, data type, split role and its benchmark tasks."""
    rows = [
        {
            "source": s.name, "lang": s.lang, "data_type": s.data_type,
            "role": "held-out" if s.heldout else ("train (pseudo-labelled)" if s.pseudo else "train"),
            "benchmark tasks": ", ".join(s.tasks), "paper analog": s.paper_analog,
        }
        for s in specs
    ]
    return pd.DataFrame(rows)


def registry_table(tasks) -> pd.DataFrame:
    """The task registry (``TaskSpec`` list) as a table."""
    cols = ["name", "lang", "paradigm", "task_type", "data_type", "origin", "strategy", "heldout", "level"]
    return pd.DataFrame([{k: t.to_dict()[k] for k in cols} for t in tasks], columns=cols)


# The paper's four basic data types (§3.1), plus product QA, in the order its text lists them.
DATA_TYPES = ("product", "review", "dialogue", "query", "qa")


def data_type_table(tasks) -> pd.DataFrame:
    """Per data type: how many source datasets and tasks (benchmark / CoT / held-out), and a few task kinds."""
    rows = []
    for dt in DATA_TYPES:
        ts = [t for t in tasks if t.data_type == dt]
        kinds = list(dict.fromkeys(t.kind for t in ts if not t.heldout))
        rows.append({"data_type": dt, "datasets": len({t.dataset for t in ts}),
                     "benchmark": sum(t.origin == "benchmark" and not t.heldout for t in ts),
                     "cot": sum(t.origin == "cot" for t in ts), "held-out": sum(t.heldout for t in ts),
                     "training kinds (first 5)": ", ".join(kinds[:5])})
    return pd.DataFrame(rows)


def heldout_table(tasks) -> pd.DataFrame:
    """The held-out suite: one row per held-out task, unseen datasets first."""
    df = registry_table([t for t in tasks if t.heldout])
    df = df.sort_values(["level", "name"], ascending=[True, True], kind="stable").reset_index(drop=True)
    return df[["name", "lang", "paradigm", "task_type", "level"]]


# ------------------------------------------------------------------------------------------ instructions
def six_parts(row: dict) -> pd.DataFrame:
    """A rendered row split back into the paper's six parts (absent optional parts shown as '–')."""

    parts = split_prompt(row["prompt"])
    parts["output"] = row["output"]
    return pd.DataFrame([{"part": label, "text": parts.get(key, "–")} for key, label in PART_NAMES.items()])


def template_variants(row: dict, choice: int = 0) -> pd.DataFrame:
    """The same instance (input + candidates of ``row``) rendered under every template variant.

    Varies one factor at a time from the complete default (diverse, EN, task info, output constraint),
    as the paper's Table 11 does; ``choice`` picks among a dataset's diverse wordings."""

    kind = split_task_name(row["task"])[3]
    variants = [
        ("diverse, EN prompt (complete)", TemplateVariant()),
        ("narrow (one prompt per task kind)", TemplateVariant(template="narrow")),
        ("ZH prompt", TemplateVariant(prompt_lang="zh")),
        ("prompt language = input language", TemplateVariant(prompt_lang="input")),
        ("without task information", TemplateVariant(task_info=False)),
        ("without output constraint", TemplateVariant(output_constraint=False)),
    ]
    out = []
    for label, v in variants:
        prompt = render(kind, row["dataset"], row["data_type"], row["lang"], row["input"], row["candidates"], v, choice)
        out.append({"variant": label, "prompt": prompt})
    return pd.DataFrame(out)


def diverse_wordings(row: dict) -> list[str]:
    """The prompt wordings (part 2) a row's (dataset, kind) may draw under the diverse template."""

    return list(prompts_for(split_task_name(row["task"])[3], row["dataset"], row["data_type"], "en", "diverse"))


# ------------------------------------------------------------------------------------------ statistics
def load_stats(data_dir: str | Path) -> dict:
    """``stats.json`` of a build (``pipeline.build_data`` returns the folder holding ``ecominstruct/``)."""
    p = Path(data_dir)
    p = p / "ecominstruct" if (p / "ecominstruct").is_dir() else p
    return json.loads((p / "stats.json").read_text(encoding="utf-8"))


def stats_table(stats: dict, key: str, splits: Sequence[str] = ("train", "heldout")) -> pd.DataFrame:
    """Rows per value of ``key`` (lang, paradigm, origin, strategy, data_type, level, task), one column per split."""
    cols = {}
    for split in splits:
        cols[split] = stats[split][f"per_{key}"]
    df = pd.DataFrame(cols).fillna(0).astype(int)
    df.index = [(k or "(benchmark)") if key == "strategy" else k for k in df.index]
    df.index.name = key
    return df.reset_index()


def task_counts(stats: dict, key: str, split: str = "train") -> pd.DataFrame:
    """Number of distinct tasks per value of a registry field (``origin``, ``strategy``, ``paradigm`` ...)
    among the tasks that have rows in ``split``."""
    present = set(stats[split]["per_task"])
    tasks = [t for t in stats["tasks"] if t["name"] in present]
    s = pd.Series([t[key] or "(benchmark)" for t in tasks]).value_counts().sort_index()
    return s.rename_axis(key).reset_index(name="tasks")


# ------------------------------------------------------------------------------------------ Chain-of-Task
def atomic_tasks(spec: SourceSpec, record: RawRecord, previous: Sequence[RawRecord] = (), seed: int = 0) -> pd.DataFrame:
    """Every task one record yields, as the builder would label it: the source's benchmark tasks and
    the Chain-of-Task derivations of its data type (``origin``/``strategy``; every task of a
    pseudo-labelled source is a ``pseudo`` CoT task). ``previous`` records of the same source feed
    the recombination strategies (item alignment, attribute-pair verification ...).

    Output strings use the gold labels as candidates (no sampled negatives), so they read cleanly."""

    ctx = Context(random.Random(stable_seed(seed, "showcase", spec.name, record.id)))
    for r in previous:
        ctx.remember(r)
    bench = [k for k in dict.fromkeys(spec.tasks) if spec.heldout or k not in UNSEEN_TASK_KINDS]
    plan = [(k, "benchmark", "") for k in bench]
    if not spec.heldout:
        plan += [(k, "cot", s) for k, s in cot.source_derivations(spec) if k not in bench and k not in UNSEEN_TASK_KINDS]
    rows = []
    for kind, origin, strategy in plan:
        inst = KIND_FUNCS[kind](record, ctx)
        if inst is None:
            continue
        t = make_task(spec, kind, origin, strategy)
        cands = list(dict.fromkeys(inst.gold))
        rows.append({"task": t.name, "origin": t.origin, "strategy": t.strategy or "(benchmark)",
                     "task_type": t.task_type, "input": inst.input, "output": format_output(inst, t.task_type, cands)})
    return pd.DataFrame(rows, columns=["task", "origin", "strategy", "task_type", "input", "output"])


def pseudo_error_rates(specs: Iterable[SourceSpec], records) -> pd.DataFrame:
    """Measured error rate of the noisy labeler per pseudo-labelled source and per labelled field.

    ``records(name)`` yields a source's records; each pseudo record's ``meta`` says which of its
    ``pseudo_fields`` labelled fields the labeler corrupted. Rates are in percent."""
    rows = []
    for s in specs:
        if not s.pseudo:
            continue
        n = fields = wrong = any_wrong = 0
        per_field: dict[str, int] = {}
        for rec in records(s.name):
            n += 1
            fields += int(rec.meta.get("pseudo_fields", 0))
            wrong += int(rec.meta.get("label_errors", 0))
            any_wrong += bool(rec.meta.get("label_errors", 0))
            for f in rec.meta.get("corrupted", []):
                per_field[f] = per_field.get(f, 0) + 1
        rows.append({
            "source": s.name, "records": n, "labelled fields": fields, "corrupted fields": wrong,
            "field error rate (%)": round(100 * wrong / fields, 2) if fields else None,
            "records with >=1 error (%)": round(100 * any_wrong / n, 2) if n else None,
            **{f"{f} error (%)": round(100 * c / n, 2) for f, c in sorted(per_field.items())},
        })
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------ leakage
def overlap(train: Sequence[dict], heldout: Sequence[dict]) -> dict[str, int]:
    """Train/held-out overlap counts: tasks, datasets, and normalised prompts and inputs (all should be 0)."""

    def inputs(rows):
        return {normalise(split_prompt(r["prompt"])["input"]) for r in rows}

    return {
        "tasks": len({r["task"] for r in train} & {r["task"] for r in heldout}),
        "datasets": len({r["dataset"] for r in train} & {r["dataset"] for r in heldout}),
        "prompts": len({normalise(r["prompt"]) for r in train} & {normalise(r["prompt"]) for r in heldout}),
        "inputs": len(inputs(train) & inputs(heldout)),
    }


# ------------------------------------------------------------------------------------------ notebook 03
def history_frame(model_dir: str | Path, **labels) -> pd.DataFrame:
    """The training history (step, loss, lr) of one model directory, with label columns added."""
    from ecomlib.training.loop import load_result  # deferred: torch

    hist = load_result(Path(model_dir)).history
    df = pd.DataFrame([{"step": h["step"], "loss": h["loss"], "lr": h["lr"]} for h in hist])
    for k, v in labels.items():
        df.insert(0, k, v)
    return df


TABLE4_KEYS = {
    "UD miF1": "UD_miF1", "UD maF1": "UD_maF1", "UD Rouge": "UD_rougeL",
    "PA miF1": "PA_miF1", "PA maF1": "PA_maF1", "PA Rouge": "PA_rougeL",
    "RTC miF1": "RTC_miF1", "RTC maF1": "RTC_maF1", "RTC Rouge": "RTC_rougeL",
    "PS Rouge": "PS_rougeL",
}


def table4_frame(rows: Sequence[dict], corrected: bool = False) -> pd.DataFrame:
    """Table 4's layout from rows ``{"Model": label, **summarize(scores)}``: reference-compatible
    metrics (as the paper computed them) or, with ``corrected``, the corrected ones."""
    suffix = "_c" if corrected else ""
    out = [{"Model": r["Model"], **{col: r.get(key + suffix) for col, key in TABLE4_KEYS.items()}} for r in rows]
    return pd.DataFrame(out, columns=["Model", *TABLE4_KEYS])
