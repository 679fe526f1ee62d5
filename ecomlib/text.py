"""Text helpers shared by every layer (a leaf: imports only the standard library).

``normalise`` is the one comparison form of a text: EcomInstruct's dedup, the leak guard and the open
world's pretraining filter all compare texts through it, so they agree on what "the same text" means.
"""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    """Case-, width- and whitespace-insensitive form used for dedup and leak checks."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())
