"""Readers for product-title sources: Taobao / Youku NER, OA-Mine, AE-110k, WDC-PAVE, PriceRunner.

Attribute values come without offsets: a value becomes a span at its first occurrence in the text
(every value of the attribute is a span typed by the attribute name); ``labels["attributes"]`` keeps
the first value per attribute, as the record contract has one value per attribute. Attributes
annotated ``n/a`` (known to be absent) are kept in ``meta["absent_attributes"]``. A value that is
nowhere in the text cannot be extracted: that one value is dropped (counted as a dropped
annotation) and the record kept; the record is dropped only when no annotated value is left.

AE-110k titles and values carry HTML character references (``Men&#39;s``, ``&amp;``): the ExtractGPT
and WDC-PAVE readers unescape text, values and names alike (values stay substrings of the title).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ecomlib.recordtypes import RawRecord, Span
from ecomlib.sources.base import ReadStats, SourceFile, first_span, unescape_html

# BIO type -> span type in the record contract's vocabulary for product titles.
TAOBAO_TYPES = {"HCCX": "product", "HPPX": "brand", "XH": "model", "MISC": "misc"}
YOUKU_TYPES = {"TELEVISION": "television", "PER": "person", "MISC": "misc"}
NER_FILES = {"TaobaoNER": "data/ecommerce", "YoukuNER": "data/youku"}
SPLITS = ("train", "dev", "test")


def _bio_spans(sf: SourceFile, tokens: list[tuple[int, str, str]], types: dict[str, str],
               stats: ReadStats) -> tuple[str, list[Span]]:
    """Characters + BIO tags -> (text, spans). An I- tag that does not continue its type starts an entity."""
    text = "".join(ch for _, ch, _ in tokens)
    spans: list[Span] = []
    cur: list | None = None  # [start, end, type]
    pos = 0
    for line, ch, tag in tokens:
        if tag == "O":
            prefix, typ = "O", ""
        else:
            prefix, _, raw = tag.partition("-")
            if prefix not in ("B", "I") or raw not in types:
                raise sf.error(line, f"tag {tag!r}: expected O or B-/I- with a type in {sorted(types)}")
            typ = types[raw]
        if prefix == "I" and cur is not None and cur[2] == typ and cur[1] == pos:
            cur[1] = pos + len(ch)
        else:
            if cur is not None:
                spans.append(Span(cur[0], cur[1], cur[2], text[cur[0]:cur[1]]))
                cur = None
            if prefix == "I":
                stats.repair("I- tag without B- read as entity start")
            if prefix in ("B", "I"):
                cur = [pos, pos + len(ch), typ]
        pos += len(ch)
    if cur is not None:
        spans.append(Span(cur[0], cur[1], cur[2], text[cur[0]:cur[1]]))
    return text, spans


def read_ner(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    types = TAOBAO_TYPES if name == "TaobaoNER" else YOUKU_TYPES
    for split in SPLITS:
        sf = SourceFile(name, data_dir, f"{NER_FILES[name]}/{split}.txt", stats)
        tokens: list[tuple[int, str, str]] = []
        n = 0
        for line, raw in [*sf.lines(), (-1, "")]:  # a final blank flushes the last sentence
            if raw.strip():
                parts = raw.split(" ")
                if len(parts) != 2 or not parts[0] or not parts[1]:
                    raise sf.error(line, f"expected 'CHAR TAG', got {raw!r}")
                tokens.append((line, parts[0], parts[1]))
                continue
            if not tokens:
                continue
            text, spans = _bio_spans(sf, tokens, types, stats)
            yield RawRecord(id=f"{name}-{split}-{n:05d}", source=name, data_type="product", lang="zh",
                            text=text, spans=spans, meta={"split": split, "line": tokens[0][0]})
            n += 1
            tokens = []


def _require(sf: SourceFile, line: int, row: dict, key: str, typ: type):
    if key not in row:
        raise sf.error(line, f"field {key!r} is missing")
    if not isinstance(row[key], typ):
        raise sf.error(line, f"field {key!r}: expected {typ.__name__}, got {type(row[key]).__name__}")
    return row[key]


def _attributes(sf: SourceFile, line: int, scores: dict, text: str, segments: list[tuple[int, int]],
                stats: ReadStats) -> tuple[list[Span], dict[str, str], list[str]] | None:
    """target_scores -> (spans, attributes, absent); a value nowhere in the text is dropped alone, and
    None is returned (the record dropped) only when values were annotated and none is in the text."""
    spans: list[Span] = []
    attrs: dict[str, str] = {}
    absent: list[str] = []
    n_values = 0
    for raw_attr in sorted(scores):
        values = scores[raw_attr]
        if not isinstance(values, dict):
            raise sf.error(line, f"field 'target_scores.{raw_attr}': expected an object of value -> score")
        attr = unescape_html(raw_attr, stats)
        for raw_value, score in values.items():
            if raw_value == "n/a":
                absent.append(attr)
                continue
            n_values += 1
            value = unescape_html(raw_value, stats)
            # WDC-PAVE gives {"pid": [0 title | 1 description], "score"}: look in that part first.
            pids = score.get("pid", []) if isinstance(score, dict) else []
            hint = segments[pids[0]][0] if pids and 0 <= pids[0] < len(segments) else 0
            sp = first_span(text, value, attr, hint)
            if sp is None:
                stats.drop_annotation("attribute value not in text")
                continue
            spans.append(sp)
            attrs.setdefault(attr, value)
    if n_values and not attrs:
        stats.drop("no attribute value in text")
        return None
    return spans, attrs, absent


def read_extractgpt(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    folder = {"OAMine": "oa-mine", "AE110k": "ae-110k"}[name]
    for split in ("train", "test"):
        sf = SourceFile(name, data_dir, f"data/processed_datasets/{folder}/{split}.jsonl", stats)
        for line, row in sf.jsonl():
            text = unescape_html(_require(sf, line, row, "input", str), stats)
            category = unescape_html(_require(sf, line, row, "category", str), stats)
            scores = _require(sf, line, row, "target_scores", dict)
            if not text.strip():
                stats.drop("empty title")
                continue
            got = _attributes(sf, line, scores, text, [(0, len(text))], stats)
            if got is None:
                continue
            spans, attrs, absent = got
            yield RawRecord(id=f"{name}-{split}-{line:05d}", source=name, data_type="product", lang="en",
                            text=text, spans=spans,
                            labels={"category_coarse": category, "attributes": attrs},
                            meta={"split": split, "line": line, "absent_attributes": absent})


def read_wdc(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    for split in ("train", "test"):
        sf = SourceFile(name, data_dir, f"data/processed_datasets/wdc_with_all_attributes/{split}.jsonl", stats)
        for line, row in sf.jsonl():
            title = unescape_html(_require(sf, line, row, "input_title", str), stats)
            desc = unescape_html(_require(sf, line, row, "input_description", str), stats)
            category = unescape_html(_require(sf, line, row, "category", str), stats)
            scores = _require(sf, line, row, "target_scores", dict)
            # Title and description joined by a newline; pid 0 / 1 refer to these two parts.
            text = title + ("\n" + desc if desc else "")
            segments = [(0, len(title)), (len(title) + 1, len(text))]
            got = _attributes(sf, line, scores, text, segments, stats)
            if got is None:
                continue
            spans, attrs, absent = got
            labels = {"category_coarse": category, "attributes": attrs}
            if row.get("cluster_id") is not None:  # a float in the file (2382282.0): same id = same product
                if not isinstance(row["cluster_id"], (int, float)):
                    raise sf.error(line, f"field 'cluster_id': expected a number, got {row['cluster_id']!r}")
                labels["product_id"] = str(int(row["cluster_id"]))
            yield RawRecord(id=f"{name}-{split}-{line:05d}", source=name, data_type="product", lang="en",
                            text=text, spans=spans, labels=labels,
                            meta={"split": split, "line": line, "offer_id": row.get("id"),
                                  "absent_attributes": absent})


PRICERUNNER_COLUMNS = ("product_id", "title", "merchant_id", "cluster_id", "cluster_label",
                       "category_id", "category_label")


def read_pricerunner(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    sf = SourceFile(name, data_dir, "pricerunner_aggregate.csv", stats)
    # Header-less: the columns are documented by the UCI data set, not in the file.
    for line, row in sf.csv_rows(PRICERUNNER_COLUMNS, header=False):
        title = row["title"].strip()
        if not title:
            stats.drop("empty title")
            continue
        yield RawRecord(id=f"{name}-{row['product_id']}", source=name, data_type="product", lang="en", text=title,
                        labels={"product_id": row["cluster_id"], "category_coarse": row["category_label"]},
                        meta={"line": line, "offer_id": row["product_id"], "merchant_id": row["merchant_id"],
                              "cluster_label": row["cluster_label"]})
