"""Reviews with (aspect, opinion, category, polarity) tuples, rating, sentiment and summary."""

from __future__ import annotations

import random
from typing import Iterator

from ecomlib.recordtypes import Span
from ecomlib.world.catalog import Catalog, Product
from ecomlib.world.lexicon import FINE
from ecomlib.world.style import Style
from ecomlib.world.text import Buf, noisy

POLARITIES = ("positive", "negative", "neutral")

# category -> lang -> (aspect terms, {polarity: explicit opinions}, {polarity: implicit phrases})
ASPECTS: dict[str, dict[str, tuple[list[str], dict[str, list[str]], dict[str, list[str]]]]] = {
    "quality": {
        "en": (["quality", "material", "stitching", "build"],
               {"positive": ["excellent", "solid", "great"], "negative": ["poor", "flimsy", "terrible"],
                "neutral": ["okay", "average"]},
               {"positive": ["it feels like it will last for years"], "negative": ["it broke after two days"]}),
        "zh": (["质量", "做工", "材质", "用料"],
               {"positive": ["很好", "不错", "扎实"], "negative": ["很差", "粗糙"], "neutral": ["一般", "还行"]},
               {"positive": ["用了很久都没坏"], "negative": ["用两天就坏了"]}),
    },
    "price": {
        "en": (["price", "value"], {"positive": ["reasonable", "fair", "unbeatable"],
                                    "negative": ["too high", "ridiculous"], "neutral": ["acceptable"]},
               {"positive": ["worth every penny"], "negative": ["way overpriced for what it is"]}),
        "zh": (["价格", "性价比"], {"positive": ["实惠", "划算"], "negative": ["离谱", "不划算"], "neutral": ["还可以"]},
               {"positive": ["物超所值"], "negative": ["太贵了"]}),
    },
    "logistics": {
        "en": (["delivery", "shipping", "packaging"],
               {"positive": ["fast", "quick"], "negative": ["slow", "terribly slow"], "neutral": ["normal"]},
               {"positive": ["it arrived in two days"], "negative": ["it took three weeks to arrive"]}),
        "zh": (["物流", "快递", "包装"], {"positive": ["很快", "超快", "很给力"], "negative": ["太慢", "很慢"],
                                     "neutral": ["正常"]},
               {"positive": ["第二天就到了"], "negative": ["等了半个月才到"]}),
    },
    "service": {
        "en": (["customer service", "seller", "support"], {"positive": ["friendly", "helpful", "responsive"],
                                                          "negative": ["rude", "unhelpful"], "neutral": ["fine"]},
               {"positive": ["they answered all my questions"], "negative": ["nobody replied to my messages"]}),
        "zh": (["客服", "卖家", "售后"], {"positive": ["很热情", "很耐心"], "negative": ["态度差", "不理人"],
                                     "neutral": ["中规中矩"]},
               {"positive": ["有问必答"], "negative": ["问了半天没人回"]}),
    },
    "appearance": {
        "en": (["color", "design", "look"], {"positive": ["beautiful", "stylish", "gorgeous"],
                                             "negative": ["ugly", "dull"], "neutral": ["plain"]},
               {"positive": ["it looks exactly like the photos"], "negative": ["it looks nothing like the picture"]}),
        "zh": (["颜色", "外观", "款式"], {"positive": ["好看", "很漂亮", "很时尚"], "negative": ["难看", "很土"],
                                     "neutral": ["普通"]},
               {"positive": ["和图片一模一样"], "negative": ["跟图片差太多"]}),
    },
    "size_fit": {
        "en": (["size", "fit"], {"positive": ["perfect", "just right"], "negative": ["too small", "way too big"],
                                 "neutral": ["a bit off"]},
               {"positive": ["it fits like a glove"], "negative": ["I had to return it for a bigger one"]}),
        "zh": (["尺码", "大小"], {"positive": ["正合适", "刚刚好"], "negative": ["偏小", "太大了"], "neutral": ["有点偏差"]},
               {"positive": ["穿着很合身"], "negative": ["完全穿不下"]}),
    },
    "performance": {
        "en": (["battery", "performance", "effect"], {"positive": ["amazing", "impressive", "reliable"],
                                                      "negative": ["disappointing", "weak"], "neutral": ["decent"]},
               {"positive": ["it works like a charm"], "negative": ["it stopped working after a week"]}),
        "zh": (["续航", "性能", "效果"], {"positive": ["很强", "明显"], "negative": ["很弱", "没效果"], "neutral": ["凑合"]},
               {"positive": ["用起来很顺手"], "negative": ["用了一周就不行了"]}),
    },
}
CATEGORIES = tuple(ASPECTS)
# The ABSA-like held-out source's own five-topic taxonomy.
ABSA_TOPICS = {"quality": "Product Quality", "price": "Value for Money", "logistics": "Shipping",
               "service": "Seller Service", "appearance": "Look and Design"}
OPENERS = {
    "en": ["Bought this {p} last week.", "I got the {p} for my sister.", "Second time ordering this {p}."],
    "zh": ["买给家里人的{p}，", "第二次买这款{p}了，", "{p}收到了，"],
}
GIFT = {"en": "It came with a free {g}. ", "zh": "还送了{g}，"}
GIFT_RATE = 0.3
ABSA_OPENERS = ["Review of the {b} {p}:", "My honest take on the {b} {p}:", "Owned the {b} {p} for a month now."]


def rating_of(tuples: list[dict]) -> int:
    """Stars from the opinions a reader sees: all positive 5, all negative 1, more positive than negative
    4, more negative 2, balanced (or only neutral) 3. One positive opinion is 5 stars, as a buyer rates."""
    pos = sum(t["polarity"] == "positive" for t in tuples)
    neg = sum(t["polarity"] == "negative" for t in tuples)
    if pos == neg:
        return 3
    if not neg:
        return 5
    if not pos:
        return 1
    return 4 if pos > neg else 2


def sentiment_of(rating: int) -> str | None:
    """positive / negative; a 3-star review has no binary sentiment (forcing one was a hidden rule)."""
    return "positive" if rating > 3 else "negative" if rating < 3 else None


def summary_of(tuples: list[dict], lang: str) -> str:
    """An extractive summary: each opinion with its aspect, in the review's words and order."""
    if lang == "en":
        pieces = [f"{t['aspect']} {t['opinion']}" if t["aspect"] else t["opinion"] for t in tuples]
        s = ", ".join(p[0].lower() + p[1:] for p in pieces)
        return s[0].upper() + s[1:] + "."
    return "，".join(f"{t['aspect']}{t['opinion']}" if t["aspect"] else t["opinion"] for t in tuples) + "。"


def has_typo(tuples: list[dict], lang: str) -> bool:
    """Whether a noisy aspect term made it into the review (a summary must not copy a typo)."""
    terms = {term for c in CATEGORIES for term in ASPECTS[c][lang][0]}
    return any(t["aspect"] and t["aspect"] not in terms for t in tuples)


def render_review(p: Product, lang: str, style: Style, rng: random.Random, typo_rate: float,
                  cats: tuple[str, ...] = CATEGORIES, n_range: tuple[int, int] | None = None
                  ) -> tuple[str, list[Span], list[dict]]:
    """One review of ``p``: text, aspect/opinion spans, tuples."""
    lo, hi = n_range or style.n_attrs
    mood = rng.random()
    chosen = rng.sample(cats, min(len(cats), rng.randint(lo, hi)))
    rate = typo_rate * style.noise if lang == "en" else 0.0
    zh = lang == "zh"
    buf = Buf()
    pword = p.category.zh if zh else p.category.en.lower()
    if style.taxonomy == "absa":
        buf.add(rng.choice(ABSA_OPENERS).format(b=p.brand.en, p=pword) + " ")
    else:  # every review names its product: product categorisation needs it
        buf.add(rng.choice(OPENERS[lang]).format(p=pword) + ("" if zh else " "))
        if rng.random() < GIFT_RATE:  # and some name a free gift too: a product word that is not the answer
            sibling = rng.choice([c for c in FINE[p.category.coarse] if c[0] != p.category.en])
            buf.add(GIFT[lang].format(g=sibling[1] if zh else sibling[0].lower()))
    tuples = []
    for k, cat in enumerate(chosen):
        r = rng.random()
        pol = ("positive" if r < 0.85 else "neutral" if r < 0.93 else "negative") if mood < 0.55 else \
              ("negative" if r < 0.8 else "neutral" if r < 0.9 else "positive")
        terms, opinions, implicit = ASPECTS[cat][lang]
        first = k == 0
        if k:
            buf.add("，" if zh else rng.choice((", ", " and ", ". ")))
            first = buf.parts[-1] == ". "
        if pol != "neutral" and rng.random() < 0.25:  # implicit aspect: the opinion says it all
            o = rng.choice(implicit[pol])
            o = o[0].upper() + o[1:] if first and not zh else o
            buf.add(o, "opinion")
            tuples.append({"aspect": None, "opinion": o, "category": cat, "polarity": pol})
            continue
        a = noisy(rng.choice(terms), rate, rng) if rate else rng.choice(terms)
        o = rng.choice(opinions[pol])
        if zh:
            buf.add(a, "aspect")
            buf.add(o, "opinion")
        elif style.taxonomy == "absa":
            buf.add("As for " if first else "as for ")
            buf.add(a, "aspect")
            buf.add(", ")
            buf.add(o, "opinion")
        else:
            buf.add("The " if first else "the ")
            buf.add(a, "aspect")
            buf.add(rng.choice((" is ", " was ")))
            buf.add(o, "opinion")
        tuples.append({"aspect": a, "opinion": o, "category": cat, "polarity": pol})
    buf.add("。" if zh else ".")
    return buf.text(), buf.spans, tuples


def gen_reviews(cat: Catalog, lang: str, style: Style, typo_rate: float, rng: random.Random
                ) -> Iterator[tuple[str, list[Span], dict, dict]]:
    pool = cat.products(style.heldout_vocab)
    absa = style.taxonomy == "absa"
    while True:
        p = rng.choice(pool)
        if absa:  # five topics; most reviews single-topic, some two
            n = 2 if rng.random() < style.multi_label_rate else 1
            text, spans, tuples = render_review(p, lang, style, rng, typo_rate, tuple(ABSA_TOPICS), (n, n))
        else:
            text, spans, tuples = render_review(p, lang, style, rng, typo_rate)
        rating = rating_of(tuples)
        labels: dict = {"tuples": tuples, "rating": rating,
                        "product_category": p.category.zh if lang == "zh" else p.category.en}
        if sentiment_of(rating):
            labels["sentiment"] = sentiment_of(rating)
        if not has_typo(tuples, lang):
            labels["summary"] = summary_of(tuples, lang)
        if absa:
            labels["topics"] = sorted({ABSA_TOPICS[t["category"]] for t in tuples})
        yield text, spans, labels, {"product_id": p.pid}
