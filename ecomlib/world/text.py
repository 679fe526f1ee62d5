"""Small text helpers: a span-tracking string builder and the typo noise model."""

from __future__ import annotations

import random

from ecomlib.recordtypes import Span


class Buf:
    """Concatenate pieces while recording the exact offsets of typed spans."""

    __slots__ = ("parts", "n", "spans")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.n = 0
        self.spans: list[Span] = []

    def add(self, s: str, type: str | None = None) -> None:
        if type is not None and s:
            self.spans.append(Span(self.n, self.n + len(s), type, s))
        self.parts.append(s)
        self.n += len(s)

    def text(self) -> str:
        return "".join(self.parts)


def typo(word: str, rng: random.Random) -> str:
    """One keyboard-style error inside an alphabetic word of >= 4 letters (else unchanged)."""
    letters = [i for i, ch in enumerate(word) if ch.isalpha() and ch.isascii()]
    if len(letters) < 4:
        return word
    i = rng.choice(letters[1:-1])
    op = rng.randrange(3)
    if op == 0:  # swap with the next character
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == 1:  # drop
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # double


def noisy(s: str, rate: float, rng: random.Random) -> str:
    """Apply ``typo`` to each space-separated word with probability ``rate`` (English only)."""
    if rate <= 0.0:
        return s
    words = s.split(" ")
    changed = False
    for k, w in enumerate(words):
        if rng.random() < rate:
            words[k] = typo(w, rng)
            changed = True
    return " ".join(words) if changed else s
