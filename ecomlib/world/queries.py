"""Search queries with segments, intent, category, rewrite and the titles that match them."""

from __future__ import annotations

import random
from typing import Iterator

from ecomlib.recordtypes import Span
from ecomlib.world.catalog import Catalog
from ecomlib.world.lexicon import FINE
from ecomlib.world.products import render_title
from ecomlib.world.style import Style
from ecomlib.world.text import Buf, noisy

# intent -> lang -> (surface markers, the marker a clean rewrite uses)
INTENTS: dict[str, dict[str, tuple[list[str], str]]] = {
    "purchase": {"en": (["buy", "shop"], ""), "zh": (["购买", "买"], "")},
    "price_check": {"en": (["cheap", "price", "lowest price"], "price"), "zh": (["便宜", "价格", "多少钱"], "价格")},
    "review_lookup": {"en": (["reviews", "worth it", "review"], "reviews"), "zh": (["怎么样", "好不好", "评测"], "评测")},
    "gift": {"en": (["gift for mom", "gift for him", "gift idea"], "gift"), "zh": (["送女友", "送礼", "送长辈"], "礼物")},
    "deal": {"en": (["discount", "coupon", "on sale"], "deals"), "zh": (["优惠券", "打折", "促销"], "优惠")},
    "compare": {"en": (["vs", "comparison", "which is better"], "comparison"), "zh": (["对比", "哪个好"], "对比")},
}
INTENT_NAMES = tuple(INTENTS)
# A query that names a second product to match: the category is the first one, not the one matched.
MATCH = {"en": "to go with {o}", "zh": "配{o}"}
MATCH_RATE = 0.3


def gen_queries(cat: Catalog, lang: str, style: Style, typo_rate: float, rng: random.Random
                ) -> Iterator[tuple[str, list[Span], dict, dict]]:
    pool = cat.products(style.heldout_vocab)
    by_coarse: dict[int, list] = {}
    for p in pool:
        by_coarse.setdefault(p.category.coarse, []).append(p)
    zh = lang == "zh"
    li = 1 if zh else 0
    rate = 0.0 if zh else typo_rate * style.noise
    select = style.taxonomy == "multi_cpr"
    while True:
        p = rng.choice(pool)
        intent = rng.choice(INTENT_NAMES)
        markers, _ = INTENTS[intent][lang]
        segs: list[tuple[str, str]] = []  # (clean surface, type)
        if rng.random() < 0.5:
            segs.append((p.brand.zh if zh else p.brand.en, "brand"))
        for a in rng.sample(p.attrs, rng.randint(1, 2)):
            segs.append((a[1 + li], "attribute"))
        segs.append((p.category.zh if zh else p.category.en, "product"))
        core = [s for s, _ in segs]  # brand, attributes, product: the canonical order
        if not select and rng.random() < MATCH_RATE:  # "hoodie to go with jeans": a product word not the answer
            other = rng.choice([c for c in FINE[p.category.coarse] if c[0] != p.category.en])
            segs.append((MATCH[lang].format(o=other[li]), "modifier"))
        marker = rng.choice(markers)
        if intent == "purchase" and rng.random() < 0.5:
            marker = ""  # a bare query is a purchase query
        if marker:
            segs.insert(0, (marker, "modifier")) if rng.random() < 0.4 else segs.append((marker, "modifier"))
        buf = Buf()
        surfaces = []
        typos = False
        for s, t in segs:
            if not zh:
                s = s.lower()
                clean = s
                s = noisy(s, rate, rng) if rate else s
                typos = typos or s != clean
                if buf.n:
                    buf.add(" ")
            buf.add(s, t)
            surfaces.append(s)
        text = buf.text()
        labels: dict = {"segments": surfaces, "category": p.category.zh if zh else p.category.en}
        tpl = rng.choice(style.templates)
        title = render_title(p, lang, tpl, style, rng, 0.0)[0]
        labels["positive_title"] = title
        if select:  # product selection: the matching title among four, negatives mostly near misses
            near = [q for q in by_coarse[p.category.coarse] if q.pid != p.pid]
            negs = []
            for _ in range(3):
                q = rng.choice(near) if near and rng.random() < 0.7 else rng.choice(pool)
                t = render_title(q, lang, rng.choice(style.templates), style, rng, 0.0)[0]
                while t == title or t in negs:
                    q = rng.choice(pool)
                    t = render_title(q, lang, rng.choice(style.templates), style, rng, 0.0)[0]
                negs.append(t)
            labels["negative_titles"] = negs
        else:
            labels["intent"] = intent
            if not typos:  # the rewrite is the product part in canonical order; a typo's fix is not derivable
                labels["rewrite"] = "".join(core) if zh else " ".join(core).lower()
        yield text, buf.spans, labels, {"product_id": p.pid}
