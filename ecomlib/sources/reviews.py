"""Readers for review sources: Zhijiang, EPRSTMT, online-shopping, SemEval laptops, FewSum, Hu & Liu.

Tuples follow the record contract: ``{aspect, opinion, category, polarity}`` with ``None`` for an
implicit aspect/opinion and for a category the source does not annotate (SemEval, Hu & Liu). A
source that annotates no opinion words at all (Hu & Liu) leaves the ``opinion`` key out: ``None``
would claim an implicit opinion, and opinion extraction would learn to answer "None".

Bad annotations are dropped one at a time (``ReadStats.drop_annotation``), not with their record:
a SemEval ``conflict`` polarity or a Hu & Liu feature without polarity keeps its aspect term with
``polarity: None`` (the term is sound; only the polarity is outside the contract); a SemEval term
that cannot be placed is dropped; a Hu & Liu feature whose wording is not in the sentence is kept
as an implicit aspect. A record is dropped only when none of its annotations is left.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Iterator

from ecomlib.recordtypes import RawRecord, Span
from ecomlib.sources.base import ReadStats, SourceFile, first_span, place_span, to_int, unescape_html

ZH_POLARITY = {"正面": "positive", "负面": "negative", "中性": "neutral"}


def _add(spans: list[Span], sp: Span) -> None:
    if sp not in spans:
        spans.append(sp)


def read_zhijiang(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    rev = SourceFile(name, data_dir, "TRAIN/Train_reviews.csv", stats)
    lab = SourceFile(name, data_dir, "TRAIN/Train_labels.csv", stats)
    reviews: dict[str, tuple[int, str]] = {}
    for line, row in rev.csv_rows(("id", "Reviews")):
        if row["id"] in reviews:
            raise rev.error(line, f"duplicate review id {row['id']!r}")
        reviews[row["id"]] = (line, row["Reviews"])
    cols = ("id", "AspectTerms", "A_start", "A_end", "OpinionTerms", "O_start", "O_end", "Categories", "Polarities")
    tuples: dict[str, list[tuple[int, dict]]] = {}
    for line, row in lab.csv_rows(cols):
        if row["id"] not in reviews:
            raise lab.error(line, f"review id {row['id']!r} is not in {rev.pin.path}")
        if row["Polarities"] not in ZH_POLARITY:
            raise lab.error(line, f"field 'Polarities': expected one of {sorted(ZH_POLARITY)}, got {row['Polarities']!r}")
        tuples.setdefault(row["id"], []).append((line, row))
    for rid, (line, text) in reviews.items():
        if not text.strip():
            stats.drop("empty review")
            continue
        spans: list[Span] = []
        out: list[dict] = []
        for lline, row in tuples.get(rid, []):
            terms: dict = {}
            placed: list[Span] = []
            for key, term, s, e in (("aspect", row["AspectTerms"], row["A_start"], row["A_end"]),
                                    ("opinion", row["OpinionTerms"], row["O_start"], row["O_end"])):
                if term == "_":  # implicit
                    terms[key] = None
                    continue
                sp = place_span(text, to_int(lab, lline, f"{key} start", s), to_int(lab, lline, f"{key} end", e),
                                term, key, stats)
                if sp is None:
                    break
                placed.append(sp)
                terms[key] = term
            if len(terms) < 2:  # one term of the pair cannot be placed: the tuple goes, the review stays
                stats.drop_annotation("tuple term offsets wrong and term absent or ambiguous")
                continue
            for sp in placed:
                _add(spans, sp)
            out.append({**terms, "category": row["Categories"], "polarity": ZH_POLARITY[row["Polarities"]]})
        if tuples.get(rid) and not out:
            stats.drop("no tuple could be placed")
            continue
        yield RawRecord(id=f"{name}-{int(rid):05d}" if rid.isdigit() else f"{name}-{rid}", source=name,
                        data_type="review", lang="zh", text=text, spans=sorted(spans, key=lambda s: (s.start, s.end)),
                        labels={"tuples": out}, meta={"line": line})


EPRSTMT_SPLITS = ("train_few_all", "dev_few_all", "test_public")


def read_eprstmt(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    labels = {"Positive": "positive", "Negative": "negative"}
    for split in EPRSTMT_SPLITS:
        sf = SourceFile(name, data_dir, f"datasets/eprstmt/{split}.json", stats)
        for line, row in sf.jsonl():
            for key in ("id", "sentence", "label"):
                if key not in row:
                    raise sf.error(line, f"field {key!r} is missing")
            if row["label"] not in labels:
                raise sf.error(line, f"field 'label': expected Positive or Negative, got {row['label']!r}")
            text = str(row["sentence"]).strip()
            if not text:
                stats.drop("empty review")
                continue
            # ids restart in every file, so the split is part of the record id.
            yield RawRecord(id=f"{name}-{split}-{line:04d}", source=name, data_type="review", lang="zh", text=text,
                            labels={"sentiment": labels[row["label"]]},
                            meta={"split": split, "line": line, "orig_id": row["id"]})


def read_online_shopping(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    sf = SourceFile(name, data_dir, "datasets/online_shopping_10_cats/online_shopping_10_cats.zip", stats)
    try:
        with zipfile.ZipFile(io.BytesIO(sf.read_bytes())) as zf:
            members = [m for m in zf.namelist() if m.endswith(".csv")]
            if len(members) != 1:
                raise sf.error(None, f"expected one CSV inside the zip, found {members}")
            data = zf.read(members[0])
    except zipfile.BadZipFile as exc:
        raise sf.error(None, f"not a valid zip ({exc})") from None
    member = members[0]
    for line, row in sf.csv_rows(("cat", "label", "review"), text=sf.text(data)):
        if row["label"] not in ("0", "1"):
            raise sf.error(line, f"{member}: field 'label': expected 0 or 1, got {row['label']!r}")
        text = row["review"].strip()
        if not text:
            stats.drop("empty review")
            continue
        yield RawRecord(id=f"{name}-{line:05d}", source=name, data_type="review", lang="zh", text=text,
                        labels={"sentiment": "positive" if row["label"] == "1" else "negative",
                                "product_category": row["cat"]},
                        meta={"line": line, "member": member})


SEMEVAL_FILES = (
    ("train", "V2原版/SemEval'14-ABSA-TrainData_v2 & AnnotationGuidelines/Laptop_Train_v2.xml"),
    ("test", "测试集/ABSA_Gold_TestData/Laptops_Test_Gold.xml"),
)


def read_semeval(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    for split, path in SEMEVAL_FILES:
        sf = SourceFile(name, data_dir, path, stats)
        try:
            root = ET.fromstring(sf.read_bytes())
        except ET.ParseError as exc:
            raise sf.error(exc.position[0], f"malformed XML ({exc})") from None
        for n, sent in enumerate(root.iter("sentence")):
            text_el = sent.find("text")
            sid = sent.get("id", str(n))
            if text_el is None or not (text_el.text or "").strip():
                stats.drop("sentence without text")
                continue
            text = text_el.text
            spans: list[Span] = []
            tuples: list[dict] = []
            terms = list(sent.iter("aspectTerm"))
            for at in terms:
                term, pol = at.get("term", ""), at.get("polarity", "")
                if pol not in ("positive", "negative", "neutral", "conflict"):
                    raise sf.error(None, f"sentence {sid}: aspect polarity {pol!r} is not positive/negative/neutral/conflict")
                try:
                    s, e = int(at.get("from", "")), int(at.get("to", ""))
                except ValueError:
                    raise sf.error(None, f"sentence {sid}: aspectTerm {term!r} has non-integer from/to") from None
                sp = place_span(text, s, e, term, "aspect", stats)
                if sp is None:
                    stats.drop_annotation("aspect term offsets wrong and term absent or ambiguous")
                    continue
                if pol == "conflict":  # outside the contract's three polarities: keep the term, drop the polarity
                    stats.drop_annotation("aspect polarity 'conflict' (term kept)")
                    pol = None
                _add(spans, sp)
                tuples.append({"aspect": term, "opinion": None, "category": None, "polarity": pol})
            if terms and not tuples:
                stats.drop("no aspect term could be placed")
                continue
            yield RawRecord(id=f"{name}-{split}-{sid}", source=name, data_type="review", lang="en", text=text,
                            spans=sorted(spans, key=lambda s: (s.start, s.end)), labels={"tuples": tuples},
                            meta={"split": split, "sentence_id": sid})


FEWSUM_COLUMNS = ("cat", "group_id", *(f"rev{i}" for i in range(1, 9)), "summ1", "summ2", "summ3",
                  *(f"rating{i}" for i in range(1, 9)))


def read_fewsum(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    for split in ("train", "val", "test"):
        sf = SourceFile(name, data_dir, f"artifacts/amazon/gold_summs/{split}.csv", stats)
        # Tab-separated despite the .csv name (with CSV quoting of fields that contain quotes).
        for line, row in sf.csv_rows(FEWSUM_COLUMNS, delimiter="\t"):
            reviews = [row[f"rev{i}"].strip() for i in range(1, 9)]
            summaries = [row[f"summ{i}"].strip() for i in range(1, 4)]
            if not all(reviews) or not summaries[0]:
                stats.drop("empty review or summary")
                continue
            ratings = []
            for i in range(1, 9):
                try:
                    ratings.append(float(row[f"rating{i}"]))
                except ValueError:
                    raise sf.error(line, f"field 'rating{i}': expected a number, got {row[f'rating{i}']!r}") from None
            yield RawRecord(id=f"{name}-{split}-{row['group_id']}", source=name, data_type="review", lang="en",
                            text="\n".join(reviews),
                            labels={"summary": summaries[0], "product_category": row["cat"]},
                            meta={"split": split, "line": line, "summaries": summaries, "ratings": ratings,
                                  "reviews": reviews})


HULIU_FILES = ("CanonG3", "DVD", "Nikon", "Nokia6610")
# Tags are [..]; the files also have the typos [+1} and {+1], read the same way.
_FEATURE = re.compile(r"^([^\[\]{}]*)((?:[\[{][^\]}]*[\]}])*)\s*$")
_TAG = re.compile(r"[\[{]([^\]}]*)[\]}]")


def _huliu_features(head: str) -> list[tuple[str, str | None, list[str]]] | None:
    """``feature[+2][u], other[-1]`` -> [(feature, polarity or None, other tags)]; None if unreadable."""
    out = []
    for item in head.split(","):
        if not item.strip():
            continue
        m = _FEATURE.match(item.strip())
        if not m:
            return None
        tags = _TAG.findall(m.group(2))
        pol = next((t for t in tags if re.fullmatch(r"[+-]\d*", t)), None)
        polarity = None if pol is None else ("positive" if pol.startswith("+") else "negative")
        out.append((m.group(1).strip(), polarity, [t for t in tags if t != pol]))
    return out


def _huliu_tuples(text: str, features: list[tuple[str, str | None, list[str]]], stats: ReadStats
                  ) -> tuple[list[Span], list[dict], set[str], list[str]]:
    """(spans, tuples, tags, implicit features) of one sentence; bad annotations dropped one by one.
    Hu & Liu annotate no opinion words, so the tuples have no ``opinion`` key."""
    spans: list[Span] = []
    tuples: list[dict] = []
    tags: set[str] = set()
    implicit: list[str] = []
    for feature, polarity, other in features:
        tags.update(other)
        sp = None if ("u" in other or "p" in other) else first_span(text, feature, "aspect")
        if polarity is None:
            if sp is None:  # neither a polarity nor a term: nothing sound is left of it
                stats.drop_annotation("feature without polarity, not in sentence")
                continue
            stats.drop_annotation("feature without polarity (term kept)")
        elif sp is None and not ("u" in other or "p" in other):
            # Annotators name the feature in their own words ("photo quality" for "quality of photos"):
            # the opinion is real, the term is not a span, so it is kept as an implicit aspect.
            stats.drop_annotation("feature not in sentence (kept as implicit aspect)")
        if sp is None:  # [u]/[p] or a wording not in the sentence: an implicit aspect
            tuples.append({"aspect": None, "category": None, "polarity": polarity})
            implicit.append(feature)
            continue
        _add(spans, sp)
        tuples.append({"aspect": feature, "category": None, "polarity": polarity})
    return spans, tuples, tags, implicit


def read_huliu(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    for product in HULIU_FILES:
        sf = SourceFile(name, data_dir, f"Datasets/{product}.txt", stats)
        review = -1
        for line, raw in sf.lines():
            if not raw.strip() or raw.startswith("*"):
                continue
            if "##" not in raw:
                if "[t]" in raw:  # a review title starts a new review
                    review += 1
                else:
                    stats.drop("line without '##' sentence marker")
                continue
            head, text = raw.split("##", 1)
            head, text = unescape_html(head, stats), unescape_html(text.strip(), stats)
            if not text:
                stats.drop("empty sentence")
                continue
            features = _huliu_features(head)
            if features is None:
                stats.drop("malformed feature annotation")
                continue
            spans, tuples, tags, implicit = _huliu_tuples(text, features, stats)
            if features and not tuples:
                stats.drop("no feature annotation left")
                continue
            yield RawRecord(id=f"{name}-{product}-{line:04d}", source=name, data_type="review", lang="en", text=text,
                            spans=sorted(spans, key=lambda s: (s.start, s.end)), labels={"tuples": tuples},
                            meta={"product": product, "line": line, "review": max(review, 0), "tags": sorted(tags),
                                  "implicit_features": implicit})
