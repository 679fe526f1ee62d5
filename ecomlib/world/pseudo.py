"""The noisy labeler: a stand-in for the paper's ChatGPT pseudo-labels on unlabelled data.

Each labelled field is wrong with probability ``error`` (WorldConfig ``pseudo_label_error``), and a
wrong label is the mistake a model makes, not a uniform swap:

- a category is confused with a *similar* one (sharing a word, e.g. Face Cream / Face Mask, or a
  character in Chinese, e.g. 充电宝 / 充电器), else with a sibling of the same coarse category; the
  coarse category follows the confused fine one, as a labeller that misread the product would answer;
- an attribute is either missed (its value and span dropped) or given a confusable name (color /
  pattern, material / style, capacity / weight ...);
- a query intent is confused with a neighbouring intent (price check / deal, review / compare ...);
  two neighbouring query segments are merged (a missed boundary).

So the expected error rate of a task is ``error`` for each field it reads (fine category, attributes,
intent, query category, segments); the coarse category is wrong only when the confusion crosses coarse
categories. Notebook 02 measures the rate per task. ``meta`` records how many fields were corrupted and
which; the labeler draws from its own per-record RNG, so the record stream is the same at any error rate.
"""

from __future__ import annotations

import functools
import random

from ecomlib.recordtypes import Span
from ecomlib.world import lexicon as lx
from ecomlib.world.catalog import Category, categories

PRODUCT_FIELDS = ("category_fine", "attributes")  # the coarse label follows the fine one
QUERY_FIELDS = ("intent", "category", "segments")
# attribute -> names a labeller mistakes it for
CONFUSABLE_ATTRS = {
    "color": ("pattern",), "pattern": ("color", "style"), "material": ("style",), "style": ("material", "pattern"),
    "size": ("capacity", "weight"), "capacity": ("size", "weight"), "weight": ("capacity", "size"),
    "season": ("style",), "gender": ("age_group",), "age_group": ("gender",), "feature": ("effect",),
    "effect": ("feature",), "scent": ("flavor",), "flavor": ("scent",), "connectivity": ("feature",),
    "battery": ("capacity",), "skin_type": ("effect",), "origin": ("packaging",), "packaging": ("origin",),
    "shelf_life": ("age_group",), "safety": ("feature",),
}
CONFUSABLE_INTENTS = {
    "purchase": ("gift", "deal"), "price_check": ("deal",), "deal": ("price_check",),
    "review_lookup": ("compare",), "compare": ("review_lookup",), "gift": ("purchase",),
}


def _name(c: Category, li: int) -> str:
    return c.zh if li else c.en


@functools.lru_cache(maxsize=None)
def confusable_categories(index: int, li: int) -> tuple[Category, ...]:
    """Categories a labeller mistakes category ``index`` for: those sharing a word (EN) or a character
    (ZH) with its name, else its siblings under the same coarse category."""
    cats = categories()
    me = cats[index]

    def units(c: Category) -> set[str]:
        return set(c.zh) if li else set(c.en.lower().split())

    similar = tuple(c for c in cats if c.index != index and units(c) & units(me))
    return similar or tuple(c for c in cats if c.coarse == me.coarse and c.index != index)


def _category_index(name: str, li: int) -> int:
    return next(c.index for c in categories() if _name(c, li) == name)


def _confuse_category(name: str, li: int, rng: random.Random) -> Category:
    return rng.choice(confusable_categories(_category_index(name, li), li))


def _attribute_error(labels: dict, spans: list[Span], rng: random.Random) -> list[Span]:
    """Miss one attribute or call it by a confusable name (one the title does not already use)."""
    attrs = dict(labels["attributes"])
    old = rng.choice(sorted(attrs))
    names = [n for n in CONFUSABLE_ATTRS.get(old, ()) if n not in attrs]
    if len(attrs) > 1 and (not names or rng.random() < 0.5):  # missed: no value, no span
        del attrs[old]
        labels["attributes"] = attrs
        return [s for s in spans if s.type != old]
    new = rng.choice(names) if names else rng.choice(sorted(set(lx.ATTR_NAMES) - set(attrs)))
    attrs[new] = attrs.pop(old)
    labels["attributes"] = attrs
    return [Span(s.start, s.end, new, s.text) if s.type == old else s for s in spans]


def label_product(lang: str, text: str, spans: list[Span], labels: dict, error: float, rng: random.Random
                  ) -> tuple[list[Span], dict, dict]:
    li = 1 if lang == "zh" else 0
    labels = dict(labels)
    corrupted = []
    if rng.random() < error:
        wrong = _confuse_category(labels["category_fine"], li, rng)
        labels["category_fine"] = _name(wrong, li)
        labels["category_coarse"] = wrong.coarse_zh if li else wrong.coarse_en
        corrupted.append("category_fine")
    if rng.random() < error and labels["attributes"]:
        spans = _attribute_error(labels, spans, rng)
        corrupted.append("attributes")
    return spans, labels, {"pseudo": True, "label_errors": len(corrupted), "corrupted": corrupted,
                           "pseudo_fields": len(PRODUCT_FIELDS)}


def label_query(lang: str, text: str, spans: list[Span], labels: dict, error: float, rng: random.Random
                ) -> tuple[list[Span], dict, dict]:
    li = 1 if lang == "zh" else 0
    labels = dict(labels)
    corrupted = []
    if rng.random() < error:
        labels["intent"] = rng.choice(CONFUSABLE_INTENTS[labels["intent"]])
        corrupted.append("intent")
    if rng.random() < error:
        labels["category"] = _name(_confuse_category(labels["category"], li, rng), li)
        corrupted.append("category")
    if rng.random() < error and len(spans) >= 2:  # a missed boundary: two neighbouring segments as one
        i = rng.randrange(len(spans) - 1)
        a, b = spans[i], spans[i + 1]
        spans = spans[:i] + [Span(a.start, b.end, b.type, text[a.start : b.end])] + spans[i + 2 :]
        labels["segments"] = [s.text for s in spans]
        corrupted.append("segments")
    return spans, labels, {"pseudo": True, "label_errors": len(corrupted), "corrupted": corrupted,
                           "pseudo_fields": len(QUERY_FIELDS)}
