"""Readers for Chinese address data: neural-chinese-address-parsing (component BIO) and CCKS 2021
address matching. Both are data type ``query``: short free text a user types (CCKS names the field
``query``), matched against a base of known addresses.

ChineseAddress: one ``token TAG`` per line (a token is one character or a run of digits/letters),
BIO over the 21 types of ``data/labels.txt``, blank line between addresses; the files spell three
types in camel case (``devZone``, ``subRoad``, ``subRoadno``): matched case-insensitively, counted. Spans are typed by
component (``prov``, ``city``, ``road``, ``poi``, …); ``labels["components"]`` lists [type, text] in order.

CCKSAddress: JSONL ``{"text_id", "query", "candidate": [{"text", "label"}]}``, labels 完全匹配 /
部分匹配 / 不匹配 read as ``exact`` / ``partial`` / ``none``. One record per query: ``labels``
``candidates`` [text] and ``match_grades`` [grade], aligned; a candidate with another label is
dropped alone (counted).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ecomlib.recordtypes import RawRecord
from ecomlib.sources.base import ReadStats, SourceFile
from ecomlib.sources.products import _bio_spans

ADDRESS_SPLITS = ("train", "dev", "test")
CCKS_GRADES = {"完全匹配": "exact", "部分匹配": "partial", "不匹配": "none"}


def address_types(data_dir: Path, stats: ReadStats) -> dict[str, str]:
    sf = SourceFile("ChineseAddress", data_dir, "data/labels.txt", stats)
    types = [t.strip() for _, t in sf.lines() if t.strip()]
    if not types or any(" " in t for t in types):
        raise sf.error(None, "expected one component type per line")
    return {t: t for t in types}


def _canonical_tag(tag: str, types: dict[str, str], stats: ReadStats) -> str:
    """``B-subRoad`` -> ``B-subroad``: the files spell a few types in camel case, labels.txt does not."""
    prefix, sep, typ = tag.partition("-")
    if sep and typ not in types and typ.lower() in types:
        stats.repair("tag type case normalised to labels.txt (devZone, subRoad, subRoadno)")
        return f"{prefix}-{typ.lower()}"
    return tag


def read_chinese_address(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    types = address_types(data_dir, stats)
    for split in ADDRESS_SPLITS:
        sf = SourceFile(name, data_dir, f"data/{split}.txt", stats)
        tokens: list[tuple[int, str, str]] = []
        n = 0
        for line, raw in [*sf.lines(), (-1, "")]:  # a final blank flushes the last address
            if raw.strip():
                parts = raw.split(" ")
                if len(parts) != 2 or not parts[0] or not parts[1]:
                    raise sf.error(line, f"expected 'TOKEN TAG', got {raw!r}")
                tokens.append((line, parts[0], _canonical_tag(parts[1], types, stats)))
                continue
            if not tokens:
                continue
            text, spans = _bio_spans(sf, tokens, types, stats)
            yield RawRecord(id=f"{name}-{split}-{n:05d}", source=name, data_type="query", lang="zh", text=text,
                            spans=spans, labels={"components": [[s.type, s.text] for s in spans]},
                            meta={"split": split, "line": tokens[0][0]})
            n += 1
            tokens = []


def read_ccks(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    sf = SourceFile(name, data_dir, "tcdata/round2_train.txt", stats)
    for line, row in sf.jsonl():
        query, cands = row.get("query"), row.get("candidate")
        if not isinstance(query, str) or not isinstance(cands, list):
            raise sf.error(line, "expected {'text_id', 'query': str, 'candidate': [{'text', 'label'}]}")
        texts, grades = [], []
        for c in cands:
            if not isinstance(c, dict) or not isinstance(c.get("text"), str):
                raise sf.error(line, "field 'candidate': expected objects with a 'text' string")
            grade = CCKS_GRADES.get(c.get("label"))
            if grade is None or not c["text"].strip():
                stats.drop_annotation("candidate with an unknown label or empty text")
                continue
            texts.append(c["text"].strip())
            grades.append(grade)
        if not query.strip() or not texts:
            stats.drop("query without text or graded candidates")
            continue
        yield RawRecord(id=f"{name}-{line:05d}", source=name, data_type="query", lang="zh", text=query.strip(),
                        labels={"candidates": texts, "match_grades": grades},
                        meta={"line": line, "text_id": row.get("text_id")})
