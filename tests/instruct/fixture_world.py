"""A small hand-written world following the RawRecord label schema (ecomlib/recordtypes.py).

Deterministic from (seed, n). Product sources share one tiny catalog, so a held-out product source
repeats some training titles: exactly the case the builder's leak guard must handle.
"""

from __future__ import annotations

import random
from typing import Iterator

from ecomlib.recordtypes import RawRecord, SourceSpec, Span

BRANDS = ["Acme", "Nordio", "Velta", "Kimbo"]
PRODUCTS = [("t-shirt", "clothing", "tops"), ("jacket", "clothing", "outerwear"), ("kettle", "home", "kitchen"),
            ("lamp", "home", "lighting")]
COLORS = ["red", "black", "blue", "white"]
MATERIALS = ["cotton", "steel", "wool", "glass"]
ZH_BRANDS = ["小米", "华为", "安踏"]
ZH_PRODUCTS = [("T恤", "服装"), ("水壶", "家居"), ("台灯", "家居")]
ZH_COLORS = ["黑色", "白色", "红色"]
ASPECTS = [("battery", "power"), ("screen", "display"), ("price", "value"), ("strap", "build")]
OPINIONS = {"positive": ["great", "solid"], "negative": ["poor", "flimsy"], "neutral": ["okay", "average"]}
INTENTS = ["buy", "compare", "return"]

SOURCES = [
    SourceSpec("TitleNER", "en", "product", ("ner",)),
    SourceSpec("ZhTitleAttr", "zh", "product", ("attribute_value_extraction",)),
    SourceSpec("ReviewABSA", "en", "review", ("sentiment",)),
    SourceSpec("ShopQuery", "en", "query", ("query_intent",)),
    SourceSpec("ShopDialog", "en", "dialogue", ("dialog_intent",)),
    SourceSpec("ProdQA", "en", "qa", ("answer_extract",)),
    SourceSpec("PseudoReviews", "en", "review", ("sentiment",), pseudo=True),
    # A training source that wrongly lists an unseen kind: it must never reach train.
    SourceSpec("AlignTrain", "en", "product", ("item_align", "coarse_classify")),
    SourceSpec("HeldTitles", "en", "product", ("ner", "item_align"), heldout=True),
    SourceSpec("HeldReviews", "en", "review", ("topic_classify", "sentiment"), heldout=True),
    SourceSpec("HeldQuery", "en", "query", ("product_select",), heldout=True),
]


def _spans(text: str, parts: list[tuple[str, str]]) -> list[Span]:
    out, pos = [], 0
    for value, type_ in parts:
        i = text.index(value, pos)
        out.append(Span(i, i + len(value), type_, value))
        pos = i + len(value)
    return out


def _product(src: str, i: int, rng: random.Random) -> RawRecord:
    b, (p, coarse, fine), c, m = rng.choice(BRANDS), rng.choice(PRODUCTS), rng.choice(COLORS), rng.choice(MATERIALS)
    if rng.random() < 0.25:  # no material: NER then has an absent type to answer "None" for
        text, parts, attrs = f"{b} {c} {p}", [(b, "brand"), (c, "color"), (p, "product")], {"color": c}
    else:
        text = f"{b} {c} {m} {p}" + (" new" if rng.random() < 0.3 else "")
        parts, attrs = [(b, "brand"), (c, "color"), (m, "material"), (p, "product")], {"color": c, "material": m}
    title_parts = [[t, v] for v, t in parts] + ([["modifier", "new"]] if text.endswith(" new") else [])
    return RawRecord(f"{src}-{i:06d}", src, "product", "en", text, _spans(text, parts), {
        "product_id": f"{b}-{p}", "category_coarse": coarse, "category_fine": fine, "attributes": attrs,
        "title_parts": title_parts,  # title generation from the title's own words (derivable, no duplicates)
    })


def _zh_product(src: str, i: int, rng: random.Random) -> RawRecord:
    b, (p, coarse), c = rng.choice(ZH_BRANDS), rng.choice(ZH_PRODUCTS), rng.choice(ZH_COLORS)
    text = f"{b}{c}{p}" + ("新款" if rng.random() < 0.5 else "")
    return RawRecord(f"{src}-{i:06d}", src, "product", "zh", text,
                     _spans(text, [(b, "brand"), (c, "color"), (p, "product")]),
                     {"category_coarse": coarse, "attributes": {"颜色": c, "品牌": b},
                      "title_parts": [["brand", b], ["color", c], ["product", p]]
                      + ([["modifier", "新款"]] if text.endswith("新款") else [])})


def _review(src: str, i: int, rng: random.Random) -> RawRecord:
    picks = rng.sample(ASPECTS, 2)
    pols = [rng.choice(list(OPINIONS)) for _ in picks]
    ops = [rng.choice(OPINIONS[p]) for p in pols]
    text = f"The {picks[0][0]} is {ops[0]} and the {picks[1][0]} is {ops[1]} #{i}."
    spans = _spans(text, [(picks[0][0], "aspect"), (ops[0], "opinion"), (picks[1][0], "aspect"), (ops[1], "opinion")])
    pos = pols.count("positive")
    return RawRecord(f"{src}-{i:06d}", src, "review", "en", text, spans, {
        "tuples": [{"aspect": a, "opinion": o, "category": c, "polarity": pl}
                   for (a, c), o, pl in zip(picks, ops, pols)],
        "rating": 1 + 2 * pos, "sentiment": "positive" if pos else "negative",
        "topics": sorted({c for _, c in picks}), "summary": f"{ops[0]} {picks[0][0]}",
        "product_category": rng.choice(["phones", "watches"]),
    })


def _query(src: str, i: int, rng: random.Random) -> RawRecord:
    b, (p, coarse, _), c = rng.choice(BRANDS), rng.choice(PRODUCTS), rng.choice(COLORS)
    text = f"{b.lower()} {c} {p} {i}"
    return RawRecord(f"{src}-{i:06d}", src, "query", "en", text,
                     _spans(text, [(b.lower(), "brand"), (c, "attribute"), (p, "product")]), {
                         "segments": [b.lower(), c, p, str(i)], "intent": rng.choice(INTENTS), "category": coarse,
                         "rewrite": f"{b} {p} {c}", "positive_title": f"{b} {c} {p} no. {i}",
                         "negative_titles": [f"{b} {x} {p} no. {i}" for x in COLORS if x != c][:2],
                     })


def _dialogue(src: str, i: int, rng: random.Random) -> RawRecord:
    intent = rng.choice(INTENTS)
    turns = [{"role": "user", "text": f"Hi, order {i}."}, {"role": "agent", "text": "Hello!"},
             {"role": "user", "text": f"I want to {intent} it."}]
    text = "\n".join(f"{t['role']}: {t['text']}" for t in turns)
    reply = f"Sure, I can help you {intent} order {i}."
    guide = [reply, f"Sorry, order {i} cannot be changed.", "Please wait a moment."]
    rng.shuffle(guide)
    return RawRecord(f"{src}-{i:06d}", src, "dialogue", "en", text, [], {
        "turns": turns, "intent": intent, "next_response": reply, "reply_guide": guide})


def _qa(src: str, i: int, rng: random.Random) -> RawRecord:
    c, m = rng.choice(COLORS), rng.choice(MATERIALS)
    ev = [f"This item {i} is {c} in color.", f"It is made of {m}.", "Ships in two days."]
    text = " ".join(ev)
    answerable = rng.random() < 0.7
    ask_color = rng.random() < 0.5  # two questions, so question generation has more than one answer
    q = ("What color is it?" if ask_color else "What is it made of?") if answerable else "Is it waterproof?"
    ans = c if ask_color else m
    spans = _spans(text, [(ans, "answer")]) if answerable else []
    return RawRecord(f"{src}-{i:06d}", src, "qa", "en", text, spans, {
        "question": q, "answerable": answerable, "answer": ans if answerable else None,
        "evidence": ev, "evidence_index": (0 if ask_color else 1) if answerable else None})


MAKERS = {("product", "en"): _product, ("product", "zh"): _zh_product, ("review", "en"): _review,
          ("query", "en"): _query, ("dialogue", "en"): _dialogue, ("qa", "en"): _qa}


class FixtureWorld:
    def __init__(self, n: int = 40, seed: int = 0, sources: list[SourceSpec] | None = None):
        self.n, self.seed, self.sources = n, seed, list(sources or SOURCES)

    def list_sources(self, profile=None) -> list[SourceSpec]:
        return list(self.sources)

    def iter_records(self, profile_or_name, name: str | None = None) -> Iterator[RawRecord]:
        name = name if name is not None else profile_or_name
        spec = next(s for s in self.sources if s.name == name)
        rng = random.Random(f"{self.seed}/{name}")
        for i in range(self.n):
            rec = MAKERS[(spec.data_type, spec.lang)](name, i, rng)
            if spec.pseudo:
                rec.meta["pseudo"] = True
            yield rec
