"""Metrics of one task, each named by its variant, as percentages (0-100) like the paper.

Reference-compatible (``*_ref``, ``rougeL_ws``) = the published key scores ``micro-f1``, ``macro-f1``,
``rouge-l-f1`` on the same predictions:
  CLS / Extract / Condition_Extract / Generate: ``SetScore`` (micro = pooled counts; "macro" = F1 of the
  instance-averaged precision and recall, an empty side scoring 0); NER: seqeval (default mode) over
  character BIO tags built by string search, micro / macro average over types.

Corrected:
  ``miF1``       set micro-F1 (CLS, extraction) or entity micro-F1 over (type, span) (NER);
  ``maF1``       per-class macro-F1 over the gold classes (CLS), per-type macro-F1 (NER), and for
                 extraction the instance-averaged F1 (no classes there); undefined for Generate;
  ``maF1_inst``  the paper's instance-averaged F1 with empty-vs-empty scored as perfect;
  ``acc``        exact (set) match; ``rougeL_char`` (see rouge.py).
Micro-F1 with no gold and no predicted item at all is 100 (nothing to find, nothing wrongly found).
"""

from __future__ import annotations

from typing import Iterable, Sequence

from ecomlib.evaluation import parsing
from ecomlib.evaluation.rouge import rouge_l_char, rouge_l_ws


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _pct(x: float) -> float:
    return round(100.0 * x, 4)


# ---------------------------------------------------------------- reference SetScore


def set_score_ref(preds: Sequence[Iterable], golds: Sequence[Iterable]) -> dict[str, float]:
    """The reference's SetScore.result(): micro_f1, macro_f1 (instance-averaged P/R), strict_acc."""
    n_pred = n_true = n_corr = 0
    ma_p = ma_r = 0.0
    strict = 0
    for p_items, t_items in zip(preds, golds, strict=True):
        p, t = set(p_items), set(t_items)
        strict += p == t
        inter = len(p & t)
        n_pred, n_true, n_corr = n_pred + len(p), n_true + len(t), n_corr + inter
        if p and t:
            ma_p += inter / len(p)
            ma_r += inter / len(t)
    m = len(preds)
    micro = 0.0 if n_pred == 0 or n_true == 0 else _f1(n_corr / n_pred, n_corr / n_true)
    return {"micro_f1": micro, "macro_f1": _f1(ma_p / m, ma_r / m) if m else 0.0, "strict_acc": strict / m if m else 0.0}


# ---------------------------------------------------------------- seqeval-compatible entities


def _type_of(tag: str) -> tuple[str, str]:
    return tag[0], (tag[1:].split("-", 1)[-1] or "_")


def bio_entities(seqs: Sequence[Sequence[str]]) -> list[tuple[str, int, int]]:
    """seqeval's ``get_entities`` (IOB, lenient default mode) over sentences joined by an "O"."""
    flat = [t for s in seqs for t in list(s) + ["O"]]
    chunks = []
    prev_tag, prev_type, begin = "O", "", 0
    for i, chunk in enumerate(flat + ["O"]):
        tag, typ = _type_of(chunk)
        end = (
            prev_tag in ("E", "S")
            or (prev_tag in ("B", "I") and tag in ("B", "S", "O"))
            or (prev_tag not in ("O", ".") and prev_type != typ)
        )
        if end:
            chunks.append((prev_type, begin, i - 1))
        start = (
            tag in ("B", "S")
            or (prev_tag in ("E", "S") and tag in ("E", "I"))
            or (prev_tag == "O" and tag in ("E", "I"))
            or (tag not in ("O", ".") and prev_type != typ)
        )
        if start:
            begin = i
        prev_tag, prev_type = tag, typ
    return chunks


def seqeval_f1_ref(golds: Sequence[Sequence[str]], preds: Sequence[Sequence[str]]) -> tuple[float, float]:
    """(micro avg f1, macro avg f1) of ``seqeval.metrics.classification_report``; (0, 0) with no entity."""
    g, p = set(bio_entities(golds)), set(bio_entities(preds))
    types = sorted({e[0] for e in g} | {e[0] for e in p})
    if not types:
        return 0.0, 0.0  # seqeval returns 0 / nan here; 0 is the documented rule
    tp_all = len(g & p)
    micro = 0.0 if not p or not g else _f1(tp_all / len(p), tp_all / len(g))
    f1s = []
    for t in types:
        gt, pt = {e for e in g if e[0] == t}, {e for e in p if e[0] == t}
        tp = len(gt & pt)
        f1s.append(_f1(tp / len(pt) if pt else 0.0, tp / len(gt) if gt else 0.0))
    return micro, sum(f1s) / len(f1s)


# ---------------------------------------------------------------- corrected


def set_micro_f1(preds: Sequence[set], golds: Sequence[set]) -> float:
    n_p = sum(len(p) for p in preds)
    n_g = sum(len(g) for g in golds)
    if n_p == 0 and n_g == 0:
        return 1.0
    tp = sum(len(p & g) for p, g in zip(preds, golds, strict=True))
    return _f1(tp / n_p if n_p else 0.0, tp / n_g if n_g else 0.0)


def instance_f1(preds: Sequence[set], golds: Sequence[set]) -> float:
    """F1 of instance-averaged precision and recall, empty-vs-empty counting as P = R = 1."""
    if not preds:
        return 0.0
    sp = sr = 0.0
    for p, g in zip(preds, golds, strict=True):
        if not p and not g:
            sp, sr = sp + 1, sr + 1
        elif p and g:
            sp, sr = sp + len(p & g) / len(p), sr + len(p & g) / len(g)
    return _f1(sp / len(preds), sr / len(preds))


def class_macro_f1(preds: Sequence[set], golds: Sequence[set], key=lambda x: x) -> float:
    """Mean per-class F1 over the classes present in gold (predicted-only classes are false positives
    of micro-F1 but have no F1 of their own). No gold class at all: 100 if nothing was predicted."""
    classes = sorted({key(x) for g in golds for x in g})
    if not classes:
        return 1.0 if not any(preds) else 0.0
    f1s = []
    for c in classes:
        tp = sum(len({x for x in p & g if key(x) == c}) for p, g in zip(preds, golds))
        n_p = sum(1 for p in preds for x in p if key(x) == c)
        n_g = sum(1 for g in golds for x in g if key(x) == c)
        f1s.append(_f1(tp / n_p if n_p else 0.0, tp / n_g))
    return sum(f1s) / len(f1s)


def accuracy(preds: Sequence, golds: Sequence) -> float:
    return sum(p == g for p, g in zip(preds, golds, strict=True)) / len(preds) if preds else 0.0


# ---------------------------------------------------------------- one task


def score_task(task_type: str, preds: Sequence[str], golds: Sequence[str], texts: Sequence[str] | None = None) -> dict:
    """All metric variants of one task. ``texts`` (the inputs) are needed for NER's reference F1."""
    if len(preds) != len(golds):
        raise ValueError(f"score_task: {len(preds)} predictions for {len(golds)} gold answers")
    n = len(preds)
    out: dict = {"n": n}
    if n == 0:
        return out
    pairs = [parsing.ref_rouge_pair(task_type, p, g) for p, g in zip(preds, golds)]
    out["rougeL_ws"] = _pct(sum(rouge_l_ws(h, r) for h, r in pairs) / n)
    out["rougeL_char"] = _pct(sum(rouge_l_char(p, g) for p, g in zip(preds, golds)) / n)

    if task_type == "NER":
        texts = list(texts) if texts is not None else [""] * n
        g_tags = [parsing.bio_tags_ref(t, parsing.parse_ner_ref(g)) for t, g in zip(texts, golds)]
        p_tags = [parsing.bio_tags_ref(t, parsing.parse_ner_ref(h)) for t, (h, _) in zip(texts, pairs)]
        mi, ma = seqeval_f1_ref(g_tags, p_tags)
        out["miF1_ref"], out["maF1_ref"] = _pct(mi), _pct(ma)
        ps, gs = [parsing.parse_ner(p) for p in preds], [parsing.parse_ner(g) for g in golds]
        out["miF1"] = _pct(set_micro_f1(ps, gs))
        out["maF1"] = _pct(class_macro_f1(ps, gs, key=lambda x: x[0]))
        out["maF1_inst"] = _pct(instance_f1(ps, gs))
        out["acc"] = _pct(accuracy(ps, gs))
        return out

    items = [parsing.ref_set_items(task_type, p, g) for p, g in zip(preds, golds)]
    ref = set_score_ref([i[0] for i in items], [i[1] for i in items])
    out["miF1_ref"], out["maF1_ref"] = _pct(ref["micro_f1"]), _pct(ref["macro_f1"])
    if task_type == "Generate":
        out["acc"] = _pct(accuracy([parsing.norm(p) for p in preds], [parsing.norm(g) for g in golds]))
        return out
    ps, gs = [parsing.parse_labels(p) for p in preds], [parsing.parse_labels(g) for g in golds]
    out["miF1"] = _pct(set_micro_f1(ps, gs))
    out["maF1_inst"] = _pct(instance_f1(ps, gs))
    out["maF1"] = _pct(class_macro_f1(ps, gs)) if task_type == "CLS" else out["maF1_inst"]
    out["acc"] = _pct(accuracy(ps, gs))
    return out
