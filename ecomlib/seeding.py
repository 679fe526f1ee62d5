"""Stable derived seeds: one 64-bit integer from any parts, the same across runs, machines and
``PYTHONHASHSEED`` (never Python's salted ``hash``).

A leaf module: it imports only the standard library. The world, the builder, training and evaluation draw
their random streams from here, so the separator is part of every pinned output; training's seeds were
always joined with ``"/"`` and keep it (``sep``), everything else uses the unit separator.
"""

from __future__ import annotations

import hashlib

SEP = "\x1f"  # the unit separator: no text part contains it by accident


def stable_seed(*parts: object, sep: str = SEP) -> int:
    """The first 8 bytes (big-endian) of the sha256 of ``str(part)`` joined by ``sep``, UTF-8 encoded."""
    text = sep.join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
