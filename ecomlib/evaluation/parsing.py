"""Turn a generated answer into something scorable, per TaskType, in two named variants.

``*_ref`` functions reproduce the published scorers' parsing (``src/data/task_cls.py`` /
``task_extract.py`` of Alibaba-NLP/EcomGPT), quirks included. Where the reference returns the *string*
"error" and then takes ``set()`` of it, the result is the character set {"e", "r", "o"}; we return
that string too so callers reproduce the same set.

Corrected functions (no suffix) normalise what the reference gets wrong: labels are split on ", " or
the full-width "，", stripped, case-folded and NFKC-normalised; "None" and empty items mean "nothing";
a trailing period is not part of a label.
"""

from __future__ import annotations

import re
import unicodedata

from ecomlib.schema import LABEL_SEP, NONE_ANSWER

ERROR = "error"  # the reference's stand-in for an unusable answer


# ---------------------------------------------------------------- reference-compatible


def ref_rouge_pair(task_type: str, pred: str, gold: str) -> tuple[str, str]:
    """The (hypothesis, reference) strings the published scorer hands to Rouge."""
    if task_type == "CLS":
        return (ERROR if len(pred) == 0 else pred.strip().replace(".", "")), gold
    if task_type == "Extract":
        return (ERROR if len(pred.replace(".", "").strip()) == 0 else pred), gold
    if task_type == "Condition_Extract":
        # one-character answers (a correct Chinese value like 棉 included) become "error"
        return (ERROR if len(pred.strip()) <= 1 else pred), (ERROR if len(gold) == 0 else gold)
    # NER, Generate
    return (ERROR if len(pred) == 0 else pred), gold


def ref_set_items(task_type: str, pred: str, gold: str) -> tuple[list[str] | str, list[str] | str]:
    """The (pred, gold) collections the reference's SetScore turns into sets (not used for NER)."""
    hyp, ref = ref_rouge_pair(task_type, pred, gold)
    if task_type == "CLS":
        p = ERROR if len(hyp) == 0 else hyp.split(LABEL_SEP)
        g = ERROR if len(gold) == 0 else gold.split(LABEL_SEP)
        return p, g
    if task_type == "Extract":
        return hyp.strip().split(LABEL_SEP), gold.strip().split(LABEL_SEP)
    if task_type == "Condition_Extract":
        return hyp.split(LABEL_SEP), ref.split(LABEL_SEP)
    if task_type == "Generate":
        return hyp.strip(), gold.strip()  # strings: SetScore compares *character* sets
    raise ValueError(f"ref_set_items: no set parsing for task type {task_type!r}")


def parse_ner_ref(answer: str) -> dict[str, list[str]]:
    """``Type: span, span`` lines as EN_NER.parse_answer; spans deduplicated in first-seen order.

    The reference stores each type's spans in a Python ``set`` (salted iteration order, which decides
    which of two overlapping same-type spans is tagged last); first-seen order makes that deterministic.
    """
    out: dict[str, list[str]] = {}
    for line in answer.split("\n"):
        if ": " not in line or line.endswith(": "):
            continue
        k = line.index(": ")
        out.setdefault(line[:k], []).extend(line[k + 2 :].split(LABEL_SEP))
    out = {t: list(dict.fromkeys(s)) for t, s in out.items()}
    return out or {NONE_ANSWER: [NONE_ANSWER]}


def bio_tags_ref(text: str, type2spans: dict[str, list[str]]) -> list[str]:
    """EN_NER.mapping2label: every occurrence of every span tagged B-/I- over characters, later wins."""
    labels = ["O"] * len(text)
    for typ, spans in type2spans.items():
        for s in spans:
            if s == NONE_ANSWER:
                continue
            for j in range(len(text)):
                if text[j : j + len(s)] == s:
                    labels[j] = "B-" + typ
                    labels[j + 1 : j + len(s)] = ["I-" + typ] * (len(s) - 1)
    return labels


# ---------------------------------------------------------------- corrected

_SPLIT = re.compile(r", |，")


def norm(item: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", item).casefold().split())


def parse_labels(answer: str) -> set[str]:
    """CLS / extraction answer -> set of normalised items ("None" and empties dropped)."""
    items = set()
    for raw in _SPLIT.split(answer.strip()):
        item = norm(raw).rstrip("。.").strip()
        if item and item != "none":
            items.add(item)
    return items


_NER_LINE = re.compile(r"^\s*([^:：\n]+?)\s*[:：]\s?(.*)$")


def parse_ner(answer: str) -> set[tuple[str, str]]:
    """``Type: span, span`` lines -> set of (type, span), normalised; ``Type: None`` adds nothing."""
    out: set[tuple[str, str]] = set()
    for line in answer.split("\n"):
        m = _NER_LINE.match(line)
        if not m:
            continue
        typ = norm(m.group(1))
        for span in parse_labels(m.group(2)):
            out.add((typ, span))
    return out
