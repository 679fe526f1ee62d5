"""A blinded side-by-side human evaluation of two models (the paper's Fig. 3): sample, blind, judge, tally.

1. ``draw`` takes two prediction files (``predictions.jsonl`` as ``ecomlib evaluate`` writes them:
   ``{"task", "index", "prediction"}`` per line), keeps the instances both answered, and draws a seeded
   sample of at most ``n_per_task`` per task. Each item shows its two outputs as "output 1" and
   "output 2" in an order drawn per item; the model names are not in the item, and its id is a hash
   that does not reveal the order. The ``Sample``'s ``key`` (which model is output 1) stays apart.
2. A person judges each item ``"1"`` (output 1 is better), ``"2"`` or ``"tie"``. ``append_judgements``
   adds them to a JSONL file, one line each, never rewriting a line: an item judged before keeps its
   first judgement, so re-running a notebook that appends the same judgements changes nothing.
3. ``unblind`` turns judgements into win / tie / loss for model A; ``tally`` counts them per task
   with a Wilson score interval for each rate; ``plot_tally`` draws the paper's stacked bars.

``describe`` renders an item as plain text and ``judge_widget`` as ipywidgets buttons (when
installed); ``find_study_predictions`` locates the study's own EcomGPT / BLOOMZ-like predictions in
its stage cache.

Same prediction files and seed -> the same sample, order and ids.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ecomlib.errors import DataError, where
from ecomlib.io import read_jsonl

JUDGEMENTS = ("1", "2", "tie")
OUTCOMES = ("win", "tie", "loss")  # of model A against model B


@dataclass(frozen=True)
class Item:
    """One blinded comparison, as the judge sees it (nothing here says which model wrote which)."""

    item_id: str
    task: str
    index: int
    output_1: str
    output_2: str
    prompt: str = ""  # from the suite, when given
    gold: str = ""


@dataclass
class Sample:
    items: list[Item]
    key: dict[str, str] = field(repr=False)  # item_id -> "a" | "b": the model shown as output 1


def read_predictions(path: str | Path) -> dict[tuple[str, int], str]:
    """(task, index) -> prediction; a malformed or duplicate line is a DataError naming it."""
    path = Path(path)
    preds: dict[tuple[str, int], str] = {}
    for lineno, row in enumerate(read_jsonl(path), start=1):
        task, index, pred = row.get("task"), row.get("index"), row.get("prediction")
        if not isinstance(task, str) or not task:
            raise DataError(f"{where(path, lineno, 'task')}: expected a task name, got {task!r}")
        if not isinstance(index, int) or isinstance(index, bool):
            raise DataError(f"{where(path, lineno, 'index')}: expected a 0-based integer, got {index!r}")
        if not isinstance(pred, str):
            raise DataError(f"{where(path, lineno, 'prediction')}: expected a string, got {type(pred).__name__}")
        if (task, index) in preds:
            raise DataError(f"{where(path, lineno)}: duplicate prediction for ({task!r}, {index})")
        preds[(task, index)] = pred
    return preds


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(int(_digest(seed, *parts)[:16], 16))


def draw(preds_a: Mapping[tuple[str, int], str], preds_b: Mapping[tuple[str, int], str], *, n_per_task: int,
         seed: int = 0, tasks: Sequence[str] | None = None, instances: Iterable = ()) -> Sample:
    """A seeded, blinded sample of the instances both models answered (``instances``: EvalInstances
    whose prompt and gold are shown to the judge)."""
    if n_per_task <= 0:
        raise DataError(f"n_per_task={n_per_task}: expected a positive integer")
    common = sorted(set(preds_a) & set(preds_b))
    if not common:
        raise DataError("the two prediction files share no (task, index) instance: are they from the same suite?")
    by_task: dict[str, list[tuple[str, int]]] = {}
    for key in common:
        by_task.setdefault(key[0], []).append(key)
    unknown = sorted(set(tasks or ()) - set(by_task))
    if unknown:
        raise DataError(f"tasks {unknown} are in neither prediction file; known: {sorted(by_task)}")
    shown = {(i.task, i.index): i for i in instances}
    items, order = [], {}
    for task in sorted(tasks or by_task):
        keys = by_task[task]
        picked = sorted(_rng(seed, "sample", task).sample(keys, min(n_per_task, len(keys))))
        for k in picked:
            a, b = preds_a[k], preds_b[k]
            item_id = _digest(seed, k[0], k[1], a, b)[:12]
            a_first = _rng(seed, "order", *k).random() < 0.5
            inst = shown.get(k)
            items.append(Item(item_id, k[0], k[1], a if a_first else b, b if a_first else a,
                              prompt=getattr(inst, "prompt", ""), gold=getattr(inst, "gold", "")))
            order[item_id] = "a" if a_first else "b"
    # the judge sees items in a seeded shuffled order, so tasks are not judged in blocks
    _rng(seed, "items").shuffle(items)
    return Sample(items=items, key=order)


def read_judgements(path: str | Path) -> dict[str, str]:
    """item_id -> judgement from an append-only file (the first line per item counts); {} if absent."""
    path = Path(path)
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    for lineno, row in enumerate(read_jsonl(path), start=1):
        item_id, judgement = row.get("item_id"), row.get("judgement")
        if not isinstance(item_id, str) or not item_id:
            raise DataError(f"{where(path, lineno, 'item_id')}: expected an item id string, got {item_id!r}")
        if judgement not in JUDGEMENTS:
            raise DataError(f"{where(path, lineno, 'judgement')}: expected one of {JUDGEMENTS}, got {judgement!r}")
        out.setdefault(item_id, judgement)
    return out


def _check_judgements(sample: Sample, judgements: Mapping[str, str]) -> None:
    known = set(sample.key)
    for item_id, judgement in judgements.items():
        if item_id not in known:
            raise DataError(f"judgement for item {item_id!r}: not an item of this sample")
        if judgement not in JUDGEMENTS:
            raise DataError(f"judgement for item {item_id!r}: expected one of {JUDGEMENTS}, got {judgement!r}")


def append_judgements(path: str | Path, sample: Sample, judgements: Mapping[str, str],
                      judge: str = "") -> dict[str, list[str]]:
    """Append the new judgements to ``path``; never rewrites a line.

    Everything is checked before anything is written. Returns ``{"added": [...], "kept": [...],
    "conflicts": [...]}``: items judged before with the same judgement (kept) or a different one
    (conflicts: the earlier judgement stands; to revise, edit the file by hand)."""
    path = Path(path)
    _check_judgements(sample, judgements)
    earlier = read_judgements(path)
    report: dict[str, list[str]] = {"added": [], "kept": [], "conflicts": []}
    lines = []
    for item_id in sorted(judgements):
        judgement = judgements[item_id]
        if item_id in earlier:
            report["kept" if earlier[item_id] == judgement else "conflicts"].append(item_id)
            continue
        lines.append(json.dumps({"item_id": item_id, "judgement": judgement, "judge": judge}, sort_keys=True) + "\n")
        report["added"].append(item_id)
    if lines:
        path.parent.mkdir(parents=True, exist_ok=True)
        _ensure_line_start(path)
        with open(path, "a", encoding="utf-8", newline="\n") as fh:
            fh.write("".join(lines))  # one write: a crash leaves at most one torn last line
            fh.flush()
            os.fsync(fh.fileno())
    return report


def _ensure_line_start(path: Path) -> None:
    """A file that does not end in a newline was cut mid-line: refuse rather than glue onto it."""
    if path.exists() and path.stat().st_size:
        with open(path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                raise DataError(f"{path}: the last line is incomplete (no newline); fix or remove it by hand")


def pending(sample: Sample, judgements: Mapping[str, str]) -> list[Item]:
    """Items not judged yet, in the sample's order."""
    return [it for it in sample.items if it.item_id not in judgements]


def unblind(sample: Sample, judgements: Mapping[str, str]) -> list[dict]:
    """One row per judged item of the sample: task, index, item_id, outcome (win/tie/loss for model A)."""
    rows = []
    for it in sample.items:
        j = judgements.get(it.item_id)
        if j is None:
            continue
        if j == "tie":
            outcome = "tie"
        else:
            a_won = (j == "1") == (sample.key[it.item_id] == "a")
            outcome = "win" if a_won else "loss"
        rows.append({"task": it.task, "index": it.index, "item_id": it.item_id, "outcome": outcome})
    return sorted(rows, key=lambda r: (r["task"], r["index"]))


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion k/n (0, 1 when n is 0)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def tally(rows: Sequence[dict], z: float = 1.96):
    """A DataFrame per task plus ``all``: n, counts, and each rate in % with its Wilson interval."""
    import pandas as pd

    groups: dict[str, list[str]] = {}
    for r in rows:
        groups.setdefault(r["task"], []).append(r["outcome"])
    if rows:
        groups["all"] = [r["outcome"] for r in rows]
    table = []
    for task, outcomes in groups.items():
        n = len(outcomes)
        rec: dict = {"task": task, "n": n}
        for o in OUTCOMES:
            k = outcomes.count(o)
            lo, hi = wilson(k, n, z)
            rec.update({o: k, f"{o} %": round(100 * k / n, 2), f"{o} lo": round(100 * lo, 2),
                        f"{o} hi": round(100 * hi, 2)})
        table.append(rec)
    columns = ["task", "n"] + [c for o in OUTCOMES for c in (o, f"{o} %", f"{o} lo", f"{o} hi")]
    return pd.DataFrame(table, columns=columns)


def plot_tally(df, name_a: str, name_b: str, ax=None):
    """Stacked win / tie / loss bars per task (model A's view) with Wilson intervals on win and loss."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * max(1, len(df))))
    y = list(range(len(df)))
    left = [0.0] * len(df)
    colors = {"win": "#4c9f70", "tie": "#c9c9c9", "loss": "#d1605e"}
    for o in OUTCOMES:
        vals = list(df[f"{o} %"])
        ax.barh(y, vals, left=left, color=colors[o], label=o)
        left = [a + b for a, b in zip(left, vals)]
    win_err = [list(df["win %"] - df["win lo"]), list(df["win hi"] - df["win %"])]
    ax.errorbar(df["win %"], [v + 0.15 for v in y], xerr=win_err, fmt="none", ecolor="k", capsize=3, lw=1)
    loss_at = 100 - df["loss %"]
    loss_err = [list(df["loss hi"] - df["loss %"]), list(df["loss %"] - df["loss lo"])]
    ax.errorbar(loss_at, [v - 0.15 for v in y], xerr=loss_err, fmt="none", ecolor="k", capsize=3, lw=1)
    ax.set_yticks(y, [f"{t} (n={n})" for t, n in zip(df["task"], df["n"])])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"% of judged items ({name_a} vs {name_b}; bars: 95% Wilson intervals)")
    ax.legend(loc="lower left", bbox_to_anchor=(1.01, 0), fontsize=8)
    return ax


def _done_params(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "DONE.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _jsonable(x) -> object:
    """As the cache stored it (tuples become lists), for comparing a profile with DONE.json params."""
    return json.loads(json.dumps(x, sort_keys=True, default=str))


def _cached_evals(work: Path, eval_params: object) -> dict[tuple[str, str], Path]:
    """(model stage, model key) -> predictions.jsonl of every complete evaluation with these eval settings."""
    found: dict[tuple[str, str], Path] = {}
    for eval_dir in sorted(work.glob("eval/*/")):
        params = (_done_params(eval_dir) or {}).get("params", {})
        if (params.get("eval") != eval_params or params.get("split", "heldout") != "heldout"  # not held-in
                or not (eval_dir / "predictions.jsonl").is_file()):
            continue
        model = Path(str(params.get("model", "")))  # stage/key: robust to a moved work dir
        found.setdefault((model.parent.name, model.name), eval_dir / "predictions.jsonl")
    return found


def find_study_predictions(work: str | Path, profile) -> tuple[Path, Path, str] | None:
    """The study's cached predictions of EcomGPT (the full selection, trained with exactly this
    profile's data and training settings) and of the BLOOMZ-like model it was tuned from, at the
    smallest size of the ladder that has both: (predictions A, predictions B, size), or None."""
    from dataclasses import asdict

    work = Path(work)
    evals = _cached_evals(work, _jsonable(asdict(profile.eval)))
    want_data = _jsonable({"seed": profile.seed, "world": asdict(profile.world), "data": asdict(profile.data)})
    want_train = _jsonable(asdict(profile.train))
    by_size: dict[str, tuple[Path, Path]] = {}
    for (stage, key), path in evals.items():
        params = (_done_params(work / stage / key) or {}).get("params", {})
        train = params.get("train") or {}
        # the cache leaves out keys that cannot change a model (log_every, save_every): compare the rest
        if stage != "model-ecomgpt" or not train or any(train.get(k, v) != v for k, v in want_train.items()):
            continue
        if any(v for k, v in params.get("selection", {}).items() if k != "seed"):
            continue  # an ablation's subset of EcomInstruct, not the full EcomGPT
        data_params = (_done_params(work / "data" / str(params.get("data"))) or {}).get("params") or {}
        if any(data_params.get(k) != v for k, v in want_data.items()):
            continue  # the cache also keys on the build's own fingerprint: compare the profile's part only
        base = ("model-general", str(params.get("init")))
        size = ((_done_params(work / base[0] / base[1]) or {}).get("params", {}).get("size") or {}).get("name")
        if size and base in evals:
            by_size.setdefault(size, (path, evals[base]))
    for size in (s.name for s in profile.model.ladder):
        if size in by_size:
            return (*by_size[size], size)
    return None


def describe(item: Item) -> str:
    """The item as the judge reads it (plain text, no model names)."""
    parts = [f"item {item.item_id}  ·  task {item.task}"]
    if item.prompt:
        parts.append(f"--- prompt\n{item.prompt}")
    if item.gold:
        parts.append(f"--- reference answer\n{item.gold}")
    parts += [f"--- output 1\n{item.output_1}", f"--- output 2\n{item.output_2}"]
    return "\n".join(parts)


def judge_widget(sample: Sample, path: str | Path, judge: str = "", limit: int = 20):
    """Buttons per pending item (needs ipywidgets); each click appends one judgement to ``path``."""
    import ipywidgets as widgets

    rows = []
    for item in pending(sample, read_judgements(path))[:limit]:
        status = widgets.Label("")

        def click(button, item_id=item.item_id, status=status):
            report = append_judgements(path, sample, {item_id: button.tooltip}, judge=judge)
            status.value = "saved" if report["added"] else "judged before: the first judgement stands"

        buttons = []
        for label, value in (("output 1 is better", "1"), ("tie", "tie"), ("output 2 is better", "2")):
            b = widgets.Button(description=label, tooltip=value)
            b.on_click(click)
            buttons.append(b)
        text = widgets.HTML("<pre style='white-space: pre-wrap'>" + html.escape(describe(item)) + "</pre>")
        rows.append(widgets.VBox([text, widgets.HBox([*buttons, status])]))
    return widgets.VBox(rows)
