"""Readers for product-matching pairs (megagonlabs/ditto): Abt-Buy, Amazon-Google, WDC products.

One line per pair: ``<left offer> TAB <right offer> TAB <0|1>``, each offer serialised as
``COL attr VAL value COL attr VAL value …`` (ditto's format; an empty value means the field is
unknown). One record per pair: ``text`` is the left offer's title (``name`` in Abt-Buy, ``title``
elsewhere); ``labels`` hold ``offer`` (every field of the left offer), ``other_offer`` (the right
one), ``other_title`` and ``same_product`` (bool). WDC titles are RDF literals with language tags
(``"GoPro HDMI Cable"@en``): the ``"…"@en`` markers are removed (counted) and the title kept as text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from ecomlib.recordtypes import RawRecord
from ecomlib.sources.base import ReadStats, SourceFile

DITTO_FILES = {
    "AbtBuy": ("data/er_magellan/Textual/Abt-Buy", ("train.txt", "valid.txt", "test.txt")),
    "AmazonGoogle": ("data/er_magellan/Structured/Amazon-Google", ("train.txt", "valid.txt", "test.txt")),
    "WDCProducts": ("data/wdc/all", ("train.txt.small", "valid.txt.small", "test.txt")),
}
TITLE_FIELDS = ("title", "name")
_COL = re.compile(r"(?:^|\s)COL (\S+) VAL(?= |$)")
# A language-tagged literal's closing marker ("…"@en, "…"@en-US); the opening quote goes with it.
_LANG_TAG = re.compile(r'"@[a-z]{2}(?:-[A-Za-z]{2,})?(?![\w-])')


def parse_offer(sf: SourceFile, line: int, raw: str) -> dict[str, str]:
    """``COL a VAL x COL b VAL y`` -> {a: x, b: y} (values stripped; a field may be empty)."""
    parts = _COL.split(raw.strip())
    if len(parts) < 3 or parts[0].strip():
        raise sf.error(line, f"expected 'COL attr VAL value …', got {raw[:60]!r}")
    fields: dict[str, str] = {}
    for attr, value in zip(parts[1::2], parts[2::2]):
        fields.setdefault(attr, value.strip())
    return fields


def clean_literal(value: str, stats: ReadStats) -> str:
    """Drop ``"…"@en`` literal markers (WDC): the tag and its quotes; other quotes (24" screens) stay."""
    if not _LANG_TAG.search(value):
        return value
    stats.repair('"…"@en literal markers removed')
    out = _LANG_TAG.sub(" ", value)
    out = re.sub(r'(^|\s)"\s*', r"\1", out)  # the opening quote of a tagged literal (24" inch marks stay)
    return " ".join(out.split())


def read_ditto(name: str, data_dir: Path, stats: ReadStats) -> Iterator[RawRecord]:
    folder, files = DITTO_FILES[name]
    for fname in files:
        split = fname.split(".", 1)[0]
        sf = SourceFile(name, data_dir, f"{folder}/{fname}", stats)
        for line, raw in sf.lines():
            if not raw.strip():
                continue
            cols = raw.split("\t")
            if len(cols) != 3 or cols[2].strip() not in ("0", "1"):
                raise sf.error(line, "expected '<offer> TAB <offer> TAB 0|1'")
            left, right = (parse_offer(sf, line, c) for c in cols[:2])
            left = {k: clean_literal(v, stats) for k, v in left.items()}
            right = {k: clean_literal(v, stats) for k, v in right.items()}
            title_key = next((k for k in TITLE_FIELDS if k in left), None)
            if title_key is None:
                raise sf.error(line, f"offer has no {' or '.join(TITLE_FIELDS)} field")
            title, other_title = left[title_key], right.get(title_key, "")
            if not title or not other_title:
                stats.drop("offer without a title")
                continue
            yield RawRecord(id=f"{name}-{split}-{line:05d}", source=name, data_type="product", lang="en", text=title,
                            labels={"offer": left, "other_offer": right, "other_title": other_title,
                                    "same_product": cols[2].strip() == "1"},
                            meta={"split": split, "line": line})
