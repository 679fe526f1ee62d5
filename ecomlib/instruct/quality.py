"""Build checks on the rendered rows of either world: can a model answer what it is asked?

Three checks, run by the builder on every split before anything is written:

- **duplicates**: one normalised prompt with two different outputs is an unanswerable row (the model is
  trained towards both); the build fails naming the task(s) and an example prompt.
- **constant outputs**: a task whose outputs are all one value (with at least ``MIN_ROWS_CONSTANT``
  rows) teaches nothing but that value; the build fails naming the task(s).
- **derivability**: per task, the share of rows whose target's content words all occur in the prompt
  (which holds the input and the candidate labels). Reported in stats.json and the data card; the
  synthetic world must reach ``MIN_DERIVABLE`` on every non-pseudo task (its targets are built to be
  derivable), the open world reports it only (real annotations may paraphrase).

Content words: NFKC-lower-cased alphanumeric tokens of Latin text that are not function words, and
single CJK characters that are not function characters. A check, not a proof: a target copied from
the input passes, a target that adds a brand, a typo or a category name the prompt never mentions fails.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from ecomlib.errors import DataError

MIN_DERIVABLE = 0.99  # the synthetic world's floor per non-pseudo task
MIN_ROWS_CONSTANT = 10  # fewer rows can be one value by chance (5 rows of a yes/no task: 6%)
EXAMPLE_CHARS = 160

# Function words a target may add without them being in the prompt (articles, copulas, conjunctions,
# question words, the reference's "None").
STOPWORDS_EN = frozenset(
    "a an the of and or is are was were be to in on for with by at as it its this that from none what how".split()
)
STOPCHARS_ZH = frozenset("的了是和与在为及或之等什么怎样")
_TOKEN = re.compile(r"[a-z0-9]+|[\u3400-\u4dbf\u4e00-\u9fff]")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def content_words(text: str) -> set[str]:
    """The tokens of ``text`` that a derivable target may only take from its prompt."""
    out = set()
    for tok in _TOKEN.findall(_norm(text)):
        if tok in STOPWORDS_EN or tok in STOPCHARS_ZH:
            continue
        out.add(tok)
    return out


def _joins(token: str, have: set[str]) -> bool:
    """Whether ``token`` is a concatenation of tokens in ``have`` (Chinese text runs Latin pieces
    together: the parts ``无双酚A`` and ``ABS塑料`` make the title token ``aabs``)."""
    ok = [True] + [False] * len(token)
    for end in range(1, len(token) + 1):
        ok[end] = any(ok[start] and token[start:end] in have for start in range(end))
    return ok[-1]


def underivable_words(row: dict) -> set[str]:
    """Content words of the row's output that neither its prompt nor its candidate labels contain (as a
    token, inside a run-together token, or as a concatenation of tokens)."""
    text = _norm(row["prompt"]) + " " + " ".join(_norm(c) for c in row.get("candidates") or ())
    have = set(_TOKEN.findall(text))
    flat = "".join(text.split())
    return {w for w in content_words(row["output"]) - have if w not in flat and not _joins(w, have)}


def derivability(rows: list[dict]) -> dict[str, dict]:
    """Per task: rows, derivable rows, their share and one underivable example (output, missing words)."""
    out: dict[str, dict] = {}
    for row in rows:
        entry = out.setdefault(row["task"], {"rows": 0, "derivable": 0, "strategy": row["strategy"], "example": None})
        entry["rows"] += 1
        missing = underivable_words(row)
        if not missing:
            entry["derivable"] += 1
        elif entry["example"] is None:
            entry["example"] = {"index": row["index"], "output": row["output"][:EXAMPLE_CHARS],
                                "missing": sorted(missing)[:8]}
    for entry in out.values():
        entry["share"] = round(entry["derivable"] / entry["rows"], 4)
    return dict(sorted(out.items()))


def _short(text: str) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 3] + "..."


def check_duplicates(rows: list[dict], split: str) -> None:
    """Raise DataError if one normalised prompt has two different outputs in ``split``."""
    outputs: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in rows:
        outputs[_norm(row["prompt"])].setdefault(_norm(row["output"]), row)
    clashes = {p: by_out for p, by_out in outputs.items() if len(by_out) > 1}
    if not clashes:
        return
    tasks = sorted({r["task"] for by_out in clashes.values() for r in by_out.values()})
    prompt, by_out = next(iter(clashes.items()))
    first, second = list(by_out.values())[:2]
    raise DataError(
        f"{split}: {len(clashes)} prompt(s) with different outputs in task(s) {', '.join(tasks)}; e.g. "
        f"{first['task']} #{first['index']} {_short(first['input'])!r} -> {_short(first['output'])!r} "
        f"vs {second['task']} #{second['index']} -> {_short(second['output'])!r}"
    )


def drop_conflicting(rows: list[dict]) -> tuple[list[dict], dict[str, int]]:
    """Drop every row whose normalised prompt also appears with another output (real data: two AE-110k
    listings with the same attributes and different titles); neither answer is learnable, so both go.
    Returns the kept rows and the rows dropped per task. The synthetic world never calls this: there a
    clash is a generator bug and fails the build (check_duplicates)."""
    outputs: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        outputs[_norm(row["prompt"])].add(_norm(row["output"]))
    kept, dropped = [], defaultdict(int)
    for row in rows:
        if len(outputs[_norm(row["prompt"])]) > 1:
            dropped[row["task"]] += 1
        else:
            kept.append(row)
    return kept, dict(sorted(dropped.items()))


def check_constant(rows: list[dict], split: str) -> None:
    """Raise DataError if a task with at least MIN_ROWS_CONSTANT rows has one output value only."""
    values: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        values[row["task"]].add(row["output"])
        counts[row["task"]] += 1
    bad = sorted(t for t, v in values.items() if len(v) == 1 and counts[t] >= MIN_ROWS_CONSTANT)
    if bad:
        examples = "; ".join(f"{t} ({counts[t]} rows, all {_short(next(iter(values[t])))!r})" for t in bad[:5])
        raise DataError(f"{split}: {len(bad)} task(s) whose outputs are all one value: {examples}")


def check_derivable(report: dict[str, dict], split: str) -> None:
    """Raise DataError if a non-pseudo task's derivable share is below MIN_DERIVABLE (synthetic world)."""
    bad = {t: e for t, e in report.items() if e["strategy"] != "pseudo" and e["share"] < MIN_DERIVABLE}
    if bad:
        worst = sorted(bad.items(), key=lambda kv: kv[1]["share"])[:5]
        lines = "; ".join(f"{t} {e['share']:.1%} (e.g. {e['example']['output']!r} lacks {e['example']['missing']})"
                          for t, e in worst)
        raise DataError(f"{split}: {len(bad)} task(s) with targets not derivable from their prompts "
                        f"(need >= {MIN_DERIVABLE:.0%}): {lines}")


def check_rows(splits: dict[str, list[dict]], world: str) -> dict:
    """Run every check on every split; return the derivability report per split (for stats.json)."""
    report = {}
    for split, rows in splits.items():
        check_duplicates(rows, split)
        check_constant(rows, split)
        report[split] = derivability(rows)
        if world == "synthetic":
            check_derivable(report[split], split)
    return report
