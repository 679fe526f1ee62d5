"""Hard negatives for candidate lists: labels a model could mistake for the gold one.

A negative is *hard* when it shares a word (Latin text) or a character (CJK) with a gold label (Face
Cream / Face Mask, 充电宝 / 充电器) or occurs in the input itself (a distractor that defeats a string
match). Half of a list's negatives (rounded up) are the hardest ones, ties broken by the row's RNG; the
rest are drawn at random, so a list is neither all near misses nor all easy.
"""

from __future__ import annotations

import random
import re
import unicodedata

# NER lists absent types as negatives: each is one more "Type: None" line the model must write, so NER keeps
# short lists whatever data.n_negative_labels says (classification lists are the long ones).
NER_MAX_NEGATIVES = 2
_UNIT = re.compile(r"[a-z0-9]+|[\u3400-\u4dbf\u4e00-\u9fff]")


def _units(text: str) -> set[str]:
    return set(_UNIT.findall(unicodedata.normalize("NFKC", text).lower()))


def hardness(label: str, gold: list[str], input_text: str) -> int:
    """2 per unit shared with a gold label, +3 when the label occurs in the input."""
    units = _units(label)
    shared = max((len(units & _units(g)) for g in gold), default=0)
    in_input = label and unicodedata.normalize("NFKC", label).lower() in unicodedata.normalize("NFKC", input_text).lower()
    return 2 * shared + (3 if in_input else 0)


def sample_negatives(pool: list[str], gold: list[str], input_text: str, k: int, rng: random.Random) -> list[str]:
    """``k`` negatives from the sorted ``pool``: the ceil(k/2) hardest (score > 0), then random ones."""
    if k <= 0:
        return []
    keyed = [(-hardness(label, gold, input_text), rng.random(), label) for label in pool]
    hard = [label for score, _, label in sorted(keyed) if score < 0][: (k + 1) // 2]
    rest = [label for label in pool if label not in hard]
    return hard + rng.sample(rest, min(k - len(hard), len(rest)))
