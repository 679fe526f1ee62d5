"""The noisy labeler: a stand-in for the paper's ChatGPT pseudo-labels on unlabelled data.

Each labelled field is corrupted independently with probability ``error`` (WorldConfig
``pseudo_label_error``) into a plausible mistake; spans follow the (noisy) labels, as a labeler's
output would. ``meta`` records how many fields were corrupted and which.
"""

from __future__ import annotations

import random

from ecomlib.records import Span
from ecomlib.world import lexicon as lx
from ecomlib.world.catalog import categories
from ecomlib.world.queries import INTENT_NAMES

PRODUCT_FIELDS = ("category_coarse", "category_fine", "attributes")
QUERY_FIELDS = ("intent", "category", "segments")


def _other(rng: random.Random, options: list[str], current: str) -> str:
    return rng.choice([o for o in options if o != current])


def label_product(lang: str, text: str, spans: list[Span], labels: dict, error: float, rng: random.Random
                  ) -> tuple[list[Span], dict, dict]:
    li = 1 if lang == "zh" else 0
    labels = dict(labels)
    corrupted = []
    if rng.random() < error:
        labels["category_coarse"] = _other(rng, [c[li] for c in lx.COARSE], labels["category_coarse"])
        corrupted.append("category_coarse")
    if rng.random() < error:
        fines = [(c.zh if li else c.en) for c in categories()]
        coarse_of = {(c.zh if li else c.en): c.coarse for c in categories()}
        same = [f for f in fines if coarse_of[f] == coarse_of[labels["category_fine"]]]
        labels["category_fine"] = _other(rng, same, labels["category_fine"])
        corrupted.append("category_fine")
    if rng.random() < error and labels["attributes"]:
        attrs = dict(labels["attributes"])
        old = rng.choice(sorted(attrs))
        new = _other(rng, sorted(set(lx.ATTR_NAMES) - set(attrs)), old)
        value = attrs.pop(old)
        attrs[new] = value
        labels["attributes"] = attrs
        spans = [Span(s.start, s.end, new, s.text) if s.type == old else s for s in spans]
        corrupted.append("attributes")
    return spans, labels, {"pseudo": True, "label_errors": len(corrupted), "corrupted": corrupted,
                           "pseudo_fields": len(PRODUCT_FIELDS)}


def label_query(lang: str, text: str, spans: list[Span], labels: dict, error: float, rng: random.Random
                ) -> tuple[list[Span], dict, dict]:
    li = 1 if lang == "zh" else 0
    labels = dict(labels)
    corrupted = []
    if rng.random() < error:
        labels["intent"] = _other(rng, list(INTENT_NAMES), labels["intent"])
        corrupted.append("intent")
    if rng.random() < error:
        labels["category"] = _other(rng, [(c.zh if li else c.en) for c in categories()], labels["category"])
        corrupted.append("category")
    if rng.random() < error and len(spans) >= 2:  # merge two neighbouring segments into one
        i = rng.randrange(len(spans) - 1)
        a, b = spans[i], spans[i + 1]
        spans = spans[:i] + [Span(a.start, b.end, b.type, text[a.start : b.end])] + spans[i + 2 :]
        labels["segments"] = [s.text for s in spans]
        corrupted.append("segments")
    return spans, labels, {"pseudo": True, "label_errors": len(corrupted), "corrupted": corrupted,
                           "pseudo_fields": len(QUERY_FIELDS)}
