"""Readers for text written from product attributes: AdvertiseGen (ZH advertising copy) and semiPQA
data-to-text (EN: one attribute -> one sentence).

Both give product records whose ``text`` is the attributes as shown to a writer and whose
``labels["description"]`` is the text written from them; ``labels["attributes"]`` {attr: value}
(first value per attribute; every value is a span of ``text``).

AdvertiseGen: JSONL ``{"content": "类型#上衣*材质#牛仔布*…", "summary": "…"}``; ``text`` is
``content`` as published. ``train.json`` is GBK-encoded (``dev.json`` UTF-8): a file that is not
UTF-8 is decoded as GBK (counted); one that is neither is an error naming the file.

semiPQA: tab-separated despite ``.csv`` (``data, text``, counted once per file); ``data`` is one
attribute in Amazon's semi-structured notation (``brand: { value:"CHANEL" }``, nested for
dimensions); ``text`` is ``data`` verbatim, the attribute's value the first ``value:`` in it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator

from ecomlib.recordtypes import RawRecord, Span
from ecomlib.sources.base import BOM, ReadStats, SourceFile

ADVERTISEGEN_SPLITS = ("train", "dev")
SEMIPQA_SPLITS = ("train", "dev", "test_seen", "test_unseen")
_SEMI_ATTR = re.compile(r"\s*([^:{}\s][^:{}]*?)\s*:\s*\{")
_SEMI_VALUE = re.compile(r'value:(?:"((?:[^"\\]|\\.)*)"|([^,{}\s][^,{}]*?))\s*[,}]')


def decode_utf8_or_gbk(sf: SourceFile, stats: ReadStats) -> str:
    raw = sf.read_bytes()
    try:
        return sf.text(raw)
    except Exception:  # DataError: invalid UTF-8; the GBK train file
        pass
    try:
        text = raw.decode("gbk")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise sf.error(line, "neither UTF-8 nor GBK text") from None
    stats.repair("GBK-encoded file decoded")
    return text.removeprefix(BOM).replace("\r\n", "\n").replace("\r", "\n")


def _pairs_to_spans(text: str, pairs: list[tuple[str, str, int]]) -> tuple[list[Span], dict[str, str]]:
    spans = [Span(start, start + len(value), attr, value) for attr, value, start in pairs]
    attrs: dict[str, str] = {}
    for attr, value, _ in pairs:
        attrs.setdefault(attr, value)
    return spans, attrs


def _advertise_pairs(content: str) -> list[tuple[str, str, int]] | None:
    """``k#v*k#v`` -> [(k, v, offset of v)]; None when a part is not ``key#value``."""
    pairs, pos = [], 0
    for part in content.split("*"):
        key, sep, value = part.partition("#")
        if not sep or not key.strip() or not value.strip():
            return None
        pairs.append((key, value, pos + len(key) + 1))
        pos += len(part) + 1
    return pairs


def read_advertisegen(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    for split in ADVERTISEGEN_SPLITS:
        sf = SourceFile(name, data_dir, f"ptuning/AdvertiseGen/{split}.json", stats)
        text_of_file = decode_utf8_or_gbk(sf, stats)
        for line, raw in enumerate(text_of_file.split("\n"), start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise sf.error(line, f"not valid JSON ({exc.msg}, column {exc.colno})") from None
            content, summary = row.get("content") if isinstance(row, dict) else None, row.get("summary") if isinstance(row, dict) else None
            if not isinstance(content, str) or not isinstance(summary, str):
                raise sf.error(line, "expected {'content': str, 'summary': str}")
            pairs = _advertise_pairs(content)
            if pairs is None or not summary.strip():
                stats.drop("content not key#value pairs, or empty copy")
                continue
            spans, attrs = _pairs_to_spans(content, pairs)
            yield RawRecord(id=f"{name}-{split}-{line:05d}", source=name, data_type="product", lang="zh", text=content,
                            spans=spans, labels={"attributes": attrs, "description": summary.strip()},
                            meta={"split": split, "line": line})


def semipqa_attribute(data: str) -> tuple[str, str, int] | None:
    """``brand: { value:"CHANEL" }`` -> ("brand", "CHANEL", offset of CHANEL); None if unparseable."""
    head, value = _SEMI_ATTR.match(data), _SEMI_VALUE.search(data)
    if head is None or value is None:
        return None
    group = 1 if value.group(1) is not None else 2
    if not value.group(group).strip():
        return None
    return head.group(1), value.group(group), value.start(group)


def read_semipqa(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    for split in SEMIPQA_SPLITS:
        sf = SourceFile(name, data_dir, f"semiPQA/data-to-text/{split}.csv", stats)
        stats.repair("tab-separated .csv read with a tab delimiter")
        for line, row in sf.csv_rows(("data", "text"), delimiter="\t"):
            data, sentence = row["data"].strip(), " ".join(row["text"].split())
            got = semipqa_attribute(data) if data else None
            if got is None or not sentence:
                stats.drop("attribute without a value, or empty sentence")
                continue
            spans, attrs = _pairs_to_spans(data, [got])
            yield RawRecord(id=f"{name}-{split}-{line:05d}", source=name, data_type="product", lang="en", text=data,
                            spans=spans, labels={"attributes": attrs, "description": sentence},
                            meta={"split": split, "line": line})
