"""What every reader shares: read statistics, locating and opening pinned files, strict row parsing,
and span repair.

Real files are messy in small ways. A reader repairs what is unambiguous (CRLF, a BOM, an offset off
by a few characters when the term occurs exactly once) and drops what is not, counting both by reason
in ``ReadStats``. A bad *annotation* (one term, value or polarity) is dropped alone and counted in
``dropped_annotations``; the record is dropped (``dropped``) only when nothing sound is left of it. Malformed *structure* (a broken JSON line, a row with the wrong column count, a
missing file) is not noise but a wrong or corrupt file: that raises ``DataError`` naming the source,
the file and the line.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ecomlib.errors import DataError
from ecomlib.recordtypes import Span
from ecomlib.sources.registry import PinnedFile, pinned
from ecomlib.sources.verify import is_unpinned, verify_pinned

BOM = "\ufeff"
# Some CSV fields (FewSum reviews, ePQA evidence) are long; the stdlib default limit is 128 KiB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class ReadStats:
    """What a read produced: records kept, and repairs and drops counted by reason (``dropped``: whole
    records; ``dropped_annotations``: single annotations of records that were kept)."""

    source: str = ""
    records: int = 0
    repaired: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)
    dropped_annotations: Counter = field(default_factory=Counter)

    def repair(self, reason: str, n: int = 1) -> None:
        self.repaired[reason] += n

    def drop(self, reason: str, n: int = 1) -> None:
        self.dropped[reason] += n

    def drop_annotation(self, reason: str, n: int = 1) -> None:
        self.dropped_annotations[reason] += n

    @property
    def n_repaired(self) -> int:
        return sum(self.repaired.values())

    @property
    def n_dropped(self) -> int:
        return sum(self.dropped.values())

    @property
    def n_dropped_annotations(self) -> int:
        return sum(self.dropped_annotations.values())

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "records": self.records,
            "repaired": dict(sorted(self.repaired.items())),
            "dropped": dict(sorted(self.dropped.items())),
            "dropped_annotations": dict(sorted(self.dropped_annotations.items())),
            "files": list(self.files),
        }


class SourceFile:
    """One pinned file of a source as found under a data directory, for error messages and reading."""

    def __init__(self, source: str, data_dir: Path, path: str, stats: ReadStats):
        self.source = source
        self.pin: PinnedFile = pinned(source, path)
        self.path = self.pin.local(data_dir)
        if not self.path.is_file():
            raise DataError(
                f"source {source}: file {self.pin.rel_path} not found under {data_dir} "
                f"(run `ecomlib fetch-data --dest DIR --only {source}`)"
            )
        if not is_unpinned(data_dir):
            verify_pinned(self.pin, self.path)
        stats.files.append(self.pin.rel_path)

    def where(self, line: int | None = None) -> str:
        loc = f"source {self.source}, file {self.pin.rel_path}"
        return f"{loc}, line {line}" if line is not None else loc

    def error(self, line: int | None, what: str) -> DataError:
        return DataError(f"{self.where(line)}: {what}")

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()

    def text(self, data: bytes | None = None) -> str:
        """The file as text: UTF-8, a leading BOM removed, CRLF/CR normalised to LF."""
        raw = self.read_bytes() if data is None else data
        try:
            s = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise self.error(line, f"invalid UTF-8 ({exc.reason})") from None
        return s.removeprefix(BOM).replace("\r\n", "\n").replace("\r", "\n")

    def lines(self) -> Iterator[tuple[int, str]]:
        """(1-based line number, line without its newline)."""
        for i, line in enumerate(self.text().split("\n"), start=1):
            yield i, line

    def jsonl(self) -> Iterator[tuple[int, dict]]:
        for i, line in self.lines():
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise self.error(i, f"not valid JSON ({exc.msg}, column {exc.colno})") from None
            if not isinstance(row, dict):
                raise self.error(i, f"expected a JSON object, got {type(row).__name__}")
            yield i, row

    def csv_rows(self, columns: tuple[str, ...], *, delimiter: str = ",", header: bool = True,
                 text: str | None = None, quoting: int = csv.QUOTE_MINIMAL) -> Iterator[tuple[int, dict]]:
        """Yield (line, {column: value}) with BOMs stripped from every field.

        With ``header`` the first row must equal ``columns``; without, ``columns`` names the fields.
        A row with the wrong column count is a DataError; the line is where the row starts.
        """
        reader = csv.reader(io.StringIO(self.text() if text is None else text, newline=""),
                            delimiter=delimiter, quoting=quoting, strict=True)
        start = 1
        first = True
        try:
            for row in reader:
                line, start = start, reader.line_num + 1
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                row = [v.replace(BOM, "") for v in row]
                if first and header:
                    first = False
                    if tuple(row) != columns:
                        raise self.error(line, f"expected header {list(columns)}, got {row}")
                    continue
                first = False
                if len(row) != len(columns):
                    raise self.error(line, f"expected {len(columns)} columns {list(columns)}, got {len(row)}")
                yield line, dict(zip(columns, row))
        except csv.Error as exc:
            raise self.error(reader.line_num, f"malformed CSV ({exc})") from None


# Only complete references (ending in ';'): html.unescape alone would also turn "R&notes" into "R¬es".
_HTML_REF = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def unescape_html(s: str, stats: ReadStats) -> str:
    """HTML character references decoded (AE-110k ``Men&#39;s``, Hu & Liu ``at &#38; t``, hetPQA
    ``3.54&quot;``), counted once per string changed. Only where a source's text is HTML-escaped."""
    out = _HTML_REF.sub(lambda m: html.unescape(m.group(0)), s) if "&" in s else s
    if out != s:
        stats.repair("HTML character references unescaped")
    return out


def place_span(text: str, start: int | None, end: int | None, term: str, type: str,
               stats: ReadStats) -> Span | None:
    """A span for ``term`` given (possibly wrong) offsets; None when it cannot be placed unambiguously.

    Offsets that index ``term`` exactly are kept. Otherwise the term is relocated when it occurs
    exactly once in ``text`` (counted as a repair); when it is absent or occurs several times the
    caller drops the annotation (the offsets cannot tell which occurrence was meant).
    """
    if start is not None and end is not None and 0 <= start < end <= len(text) and text[start:end] == term:
        return Span(start, end, type, term)
    if term and text.count(term) == 1:
        i = text.index(term)
        stats.repair(f"{type} offsets relocated (term occurs once)")
        return Span(i, i + len(term), type, term)
    return None


def first_span(text: str, term: str, type: str, start_hint: int = 0) -> Span | None:
    """A span for a term given without offsets: its first occurrence (from ``start_hint`` if there)."""
    if not term:
        return None
    i = text.find(term, start_hint)
    if i < 0:
        i = text.find(term)
    return Span(i, i + len(term), type, term) if i >= 0 else None


def to_int(sf: SourceFile, line: int, name: str, value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise sf.error(line, f"field {name!r}: expected an integer, got {value!r}") from None
