"""Product titles (typed spans), descriptions and product records."""

from __future__ import annotations

import random
from typing import Iterator

from ecomlib.recordtypes import Span
from ecomlib.world import lexicon as lx
from ecomlib.world.catalog import Catalog, Product
from ecomlib.world.style import Style
from ecomlib.world.text import Buf, noisy

LENOVO_TYPES = {"brand": "Brand", "product": "Product", "model": "Model"}  # attributes -> "Specification"


def attr_label(attr: str, taxonomy: str) -> str:
    """The name a source uses for an attribute type (its own taxonomy for held-out sources)."""
    if taxonomy in ("mepave", "openbg"):
        return lx.ATTR_NAMES[attr][1]
    return attr


def span_type(kind: str, attr: str | None, taxonomy: str) -> str | None:
    """Span type of a title piece; None = not annotated by this source."""
    if kind == "modifier":  # marketing words are no entity in any source: one span convention everywhere
        return None
    if taxonomy == "lenovo":
        return LENOVO_TYPES.get(kind, "Specification" if attr else None)
    if taxonomy == "mepave":
        return lx.ATTR_NAMES[attr][1] if attr else None
    if attr:
        return attr_label(attr, taxonomy)
    return kind


def category_labels(p: Product, lang: str, taxonomy: str) -> tuple[str, str]:
    c = p.category
    if taxonomy == "openbg":
        return lx.COARSE[c.coarse][2], f"{lx.COARSE[c.coarse][2]}>{c.zh}"
    return (c.coarse_en, c.en) if lang == "en" else (c.coarse_zh, c.zh)


def modifiers(lang: str, heldout: bool) -> list[str]:
    return (lx.MODIFIERS_HELDOUT if heldout else lx.MODIFIERS_TRAIN)[lang]


def render_title(p: Product, lang: str, template: str, style: Style, rng: random.Random,
                 typo_rate: float) -> tuple[str, list[Span], dict[str, str], list[list[str]] | None]:
    """Fill ``template`` ({brand} {product} {model} {modifier} {attr} {attrs}, a trailing ``?`` makes a
    slot optional, other tokens are literals). Returns text, spans, {attr label: surface} and the title's
    parts in title order as [field, surface] (None when a typo or a literal makes the title more than its
    parts: title generation then has no derivable target)."""
    lo, hi = style.n_attrs
    chosen = rng.sample(p.attrs, min(len(p.attrs), rng.randint(lo, hi)))
    mods = modifiers(lang, style.heldout_vocab)
    rate = typo_rate * style.noise if lang == "en" else 0.0
    li = 1 if lang == "zh" else 0
    buf = Buf()
    attrs: dict[str, str] = {}
    parts: list[list[str]] | None = []
    sep = " " if lang == "en" else ""

    def put(s: str, kind: str, attr: str | None = None) -> None:
        nonlocal parts
        if style.lowercase:
            s = s.lower()
        clean = s
        s = noisy(s, rate, rng) if rate else s
        if buf.n and sep:
            buf.add(sep)
        buf.add(s, span_type(kind, attr, style.taxonomy))
        if attr:
            attrs[attr_label(attr, style.taxonomy)] = s
        if parts is not None:
            parts = None if s != clean else parts + [[attr_label(attr, style.taxonomy) if attr else kind, s]]

    for tok in template.split(" "):
        if tok.endswith("?"):
            if rng.random() < 0.5:
                continue
            tok = tok[:-1]
        if tok == "{brand}":
            put(p.brand.zh if li else p.brand.en, "brand")
        elif tok == "{product}":
            put(p.category.zh if li else p.category.en, "product")
        elif tok == "{model}":
            put(p.model, "model")
        elif tok == "{modifier}":
            put(rng.choice(mods), "modifier")
        elif tok == "{attr}":
            if chosen:
                a = chosen.pop(0)
                put(a[1 + li], "attr", a[0])
        elif tok == "{attrs}":
            while chosen:
                a = chosen.pop(0)
                put(a[1 + li], "attr", a[0])
        else:  # literal
            if buf.n and sep:
                buf.add(sep)
            buf.add(tok)
            parts = None
    return buf.text(), buf.spans, attrs, parts


# Description sentences: one per attribute; {n} = attribute name, {v} = value, {p} = product word.
DESC_EN = ["Its {n} is {v}.", "This {p} comes with {n} {v}.", "You can choose {v} for the {n}.",
           "The {n} of this {p} is {v}."]
DESC_ZH = ["{n}为{v}。", "这款{p}的{n}是{v}。", "{n}：{v}。", "本品{n}采用{v}。"]
DESC_OPEN_EN = ["This {p} from {b} is a popular choice.", "Meet the {b} {p}, made for everyday use."]
DESC_OPEN_ZH = ["{b}这款{p}深受欢迎。", "{b}{p}，适合日常使用。"]


def describe(p: Product, lang: str, rng: random.Random, omit: str | None = None
             ) -> tuple[list[str], dict[str, tuple[int, int, int]]]:
    """Description sentences and, per attribute, (sentence index, start, end) of its value inside
    that sentence. ``omit`` leaves one attribute out (for unanswerable questions)."""
    li = lang == "zh"
    sents = [rng.choice(DESC_OPEN_ZH if li else DESC_OPEN_EN).format(
        p=p.category.zh if li else p.category.en.lower(), b=p.brand.zh if li else p.brand.en)]
    where: dict[str, tuple[int, int, int]] = {}
    for attr, en, zh in p.attrs:
        if attr == omit:
            continue
        v = zh if li else en
        tpl = rng.choice(DESC_ZH if li else DESC_EN)
        pre, post = tpl.split("{v}")
        name = lx.ATTR_NAMES[attr][1 if li else 0]
        pword = p.category.zh if li else p.category.en.lower()
        pre = pre.format(n=name, p=pword)
        post = post.format(n=name, p=pword)
        where[attr] = (len(sents), len(pre), len(pre) + len(v))
        sents.append(pre + v + post)
    return sents, where


def join_sentences(sents: list[str], lang: str) -> str:
    return (" " if lang == "en" else "").join(sents)


GIFT_RATE = 0.3  # training titles that name a free gift: another product word the category is not


def add_gift(text: str, parts: list[list[str]] | None, p: Product, lang: str, style: Style, rng: random.Random
             ) -> tuple[str, list[list[str]] | None]:
    """``Backpack ... with Free Wallet`` / ``双肩包…送钱包``: a promotion naming a sibling product, so the
    title holds a category word that is not the answer (string matching the candidates fails)."""
    siblings = [c for c in lx.FINE[p.category.coarse] if c[0] != p.category.en]
    en, zh = rng.choice(siblings)
    gift = f"送{zh}" if lang == "zh" else f"with Free {en}"
    gift = gift.lower() if style.lowercase else gift
    text = text + ("" if lang == "zh" else " ") + gift
    return text, (parts + [["gift", gift]] if parts is not None else None)


def gen_products(cat: Catalog, lang: str, style: Style, typo_rate: float, rng: random.Random
                 ) -> Iterator[tuple[str, list[Span], dict, dict]]:
    """Endless product-title records: (text, spans, labels, meta)."""
    pool = cat.products(style.heldout_vocab)
    while True:
        p = rng.choice(pool)
        for v in range(style.variants):
            tpl = rng.choice(style.templates)
            text, spans, attrs, parts = render_title(p, lang, tpl, style, rng, typo_rate)
            if not style.heldout_vocab and rng.random() < GIFT_RATE:  # held-out titles keep their own style
                text, parts = add_gift(text, parts, p, lang, style, rng)
            coarse, fine = category_labels(p, lang, style.taxonomy)
            labels = {"product_id": p.pid, "category_coarse": coarse, "category_fine": fine,
                      "attributes": attrs, "price": p.price}
            if parts:
                labels["title_parts"] = parts
            if style.describe:
                labels["description"] = join_sentences(describe(p, lang, rng)[0], lang)
            yield text, spans, labels, {"template": style.templates.index(tpl), "variant": v,
                                        "title_parts_expected": True}
