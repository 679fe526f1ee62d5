"""Product QA: attribute questions answered by a span of a description (or a review), or unanswerable."""

from __future__ import annotations

import random
from typing import Iterator

from ecomlib.recordtypes import Span
from ecomlib.world import lexicon as lx
from ecomlib.world.catalog import Catalog
from ecomlib.world.products import describe
from ecomlib.world.reviews import CATEGORIES, render_review
from ecomlib.world.style import Style

# One wording per question type: question generation must not depend on a random template pick.
QUESTIONS = {"en": ["What is the {n} of this {p}?"], "zh": ["{p}的{n}是什么？"]}
REVIEW_QUESTIONS = {"en": ["How is the {a}?"], "zh": ["{a}怎么样？"]}
# Reddit-like held-out style: informal posts and questions.
REDDIT_OPEN = ["ok so i picked up the {b} {p} last month.", "been using the {b} {p} for a few weeks now.",
               "long time lurker, just got the {b} {p}."]
REDDIT_SENT = ["fwiw the {n} on mine is {v}", "pretty sure the {n} is {v}", "mine came in {v} btw",
               "they list the {n} as {v} which checks out"]
REDDIT_CLOSE = ["anyway pretty happy with it.", "would buy again tbh.", "ymmv though."]
REDDIT_Q = ["anyone know what {n} the {p} is?", "what {n} did yours come with?", "does the {p} come in a specific {n}?"]


def gen_qa(cat: Catalog, lang: str, style: Style, typo_rate: float, rng: random.Random
           ) -> Iterator[tuple[str, list[Span], dict, dict]]:
    if style.taxonomy == "reddit":
        yield from _gen_reddit(cat, style, rng)
        return
    pool = cat.products(style.heldout_vocab)
    zh = lang == "zh"
    sep = "" if zh else " "
    while True:
        p = rng.choice(pool)
        pword = p.category.zh if zh else p.category.en.lower()
        if rng.random() < 0.25:  # reviews as context: ask about an aspect one of them mentions
            text, spans, tuples = render_review(p, lang, style, rng, 0.0, n_range=(1, 3))
            explicit = [(t, s) for t, s in zip(tuples, [s for s in spans if s.type == "opinion"]) if t["aspect"]]
            if explicit:
                t, op = rng.choice(explicit)
                # other reviews never touch the asked category, so the answer is unique
                others = tuple(c for c in CATEGORIES if c != t["category"])
                sents = [render_review(p, lang, style, rng, 0.0, others, (1, 2))[0] for _ in range(2)]
                k = rng.randrange(3)
                sents.insert(k, text)
                off = sum(len(x) + len(sep) for x in sents[:k]) + op.start
                q = rng.choice(REVIEW_QUESTIONS[lang]).format(a=t["aspect"])
                labels = {"question": q, "answerable": True, "answer": op.text, "evidence": sents, "evidence_index": k}
                span = Span(off, off + len(op.text), "answer", op.text)
                yield sep.join(sents), [span], labels, {"product_id": p.pid, "context": "reviews"}
                continue
        answerable = rng.random() >= style.unanswerable_rate
        attr = rng.choice(p.attrs)[0]
        sents, where = describe(p, lang, rng, omit=None if answerable else attr)
        text = sep.join(sents)
        q = rng.choice(QUESTIONS[lang]).format(n=lx.ATTR_NAMES[attr][1 if zh else 0], p=pword)
        labels = {"question": q, "answerable": answerable, "evidence": sents}
        spans: list[Span] = []
        if answerable:
            i, a, b = where[attr]
            off = sum(len(s) + len(sep) for s in sents[:i])
            ans = sents[i][a:b]
            spans.append(Span(off + a, off + b, "answer", ans))
            labels.update(answer=ans, evidence_index=i)
        else:
            labels.update(answer=None, evidence_index=None)
        yield text, spans, labels, {"product_id": p.pid, "context": "description"}


def _gen_reddit(cat: Catalog, style: Style, rng: random.Random) -> Iterator[tuple[str, list[Span], dict, dict]]:
    pool = cat.products(True)
    while True:
        p = rng.choice(pool)
        pword = p.category.en.lower()
        parts = [rng.choice(REDDIT_OPEN).format(b=p.brand.en.lower(), p=pword)]
        shown = rng.sample(p.attrs, min(len(p.attrs), rng.randint(2, 3)))
        target = rng.choice(shown)
        span = None
        for attr, en, _ in shown:
            tpl = rng.choice(REDDIT_SENT)
            pre, post = tpl.split("{v}")
            pre = pre.format(n=lx.ATTR_NAMES[attr][0])
            v = en.lower()  # the bare value, as every training QA answer is
            if attr == target[0]:
                start = sum(len(x) + 1 for x in parts) + len(pre)
                span = Span(start, start + len(v), "answer", v)
            parts.append(pre + v + post + rng.choice((".", ",", " lol.")))
        parts.append(rng.choice(REDDIT_CLOSE))
        text = " ".join(parts)
        q = rng.choice(REDDIT_Q).format(n=lx.ATTR_NAMES[target[0]][0], p=pword)
        labels = {"question": q, "answerable": True, "answer": span.text}
        yield text, [span], labels, {"product_id": p.pid, "context": "post"}
