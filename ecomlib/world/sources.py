"""The registry of synthetic source datasets and the record stream of each.

Every source renders the same seeded catalog in its own style (templates, vocabulary pool, noise,
label taxonomy). Six sources are held out and mirror the paper's held-out suite; they use held-out
brands and modifiers, their own templates and their own label names.
"""

from __future__ import annotations

import random
from typing import Callable, Iterator

from ecomlib.config import WorldConfig
from ecomlib.errors import DataError
from ecomlib.recordtypes import RawRecord, SourceSpec
from ecomlib.seeding import stable_seed
from ecomlib.world import pseudo as pl
from ecomlib.world.catalog import build_catalog
from ecomlib.world.dialogues import gen_dialogues
from ecomlib.world.products import gen_products
from ecomlib.world.qa import gen_qa
from ecomlib.world.queries import gen_queries
from ecomlib.world.reviews import gen_reviews
from ecomlib.world.style import Style

GENERATORS: dict[str, Callable] = {"product": gen_products, "review": gen_reviews, "query": gen_queries,
                                   "dialogue": gen_dialogues, "qa": gen_qa}

T_EN = ("{brand} {modifier}? {attrs} {product} {model}?", "{brand} {product} {model} {attrs}",
        "{modifier} {brand} {attr} {product} {attrs}")
T_ZH = ("{brand} {modifier}? {attrs} {product} {model}?", "{modifier} {brand} {product} {attrs}",
        "{brand} {attr} {product} {attrs}")
# held-out title styles: their own word orders and literals
T_LENOVO = ("{brand} {model} {product} with {attrs}", "{modifier}? {product} by {brand} {model} featuring {attrs}")
T_MEPAVE = ("{attr} {product}", "{modifier}? {product} {attrs}")
T_OPENBG = ("{product} {brand} {attrs} {modifier}", "{modifier} {attrs} {brand} {model} {product}")
T_CPR = ("{brand} {product} {model} {attrs} {modifier}?",)


def _spec(name, lang, data_type, tasks, analog, description, heldout=False, pseudo=False):
    return SourceSpec(name, lang, data_type, tuple(tasks), heldout, pseudo, description, analog)


_REGISTRY: list[tuple[SourceSpec, Style]] = [
    # ---- training sources: English
    (_spec("AmazonTitleNER", "en", "product", ["ner", "entity_span_detection", "entity_typing"],
           "Amazon product-title NER", "EN titles with brand/product/model/attribute/modifier spans"),
     Style(T_EN, noise=1.0)),
    (_spec("EnNoisyTitle", "en", "product", ["single_type_extraction", "entity_typing"],
           "user-generated listings", "lower-cased, typo-heavy short EN titles"),
     Style(("{brand} {product} {attrs}", "{attrs} {product} {brand}"), noise=4.0, n_attrs=(1, 2), lowercase=True)),
    (_spec("EnAttrValue", "en", "product",
           ["attribute_value_extraction", "attribute_value_detection", "attribute_naming"],
           "MAVE / AE-110K", "EN titles annotated with attribute values"), Style(T_EN, noise=1.0, n_attrs=(2, 5))),
    (_spec("EnProductCategory", "en", "product", ["coarse_classify", "fine_classify"],
           "Amazon product categorisation", "EN titles with coarse and fine categories"), Style(T_EN, noise=1.0)),
    (_spec("EnTitleGen", "en", "product", ["title_generate", "attribute_pair_verification"],
           "Amazon title generation", "EN titles generated from descriptions"), Style(T_EN[:2], n_attrs=(3, 5))),
    (_spec("EnReviewRating", "en", "review", ["sentiment", "rating"], "Amazon Reviews / Yelp",
           "EN reviews with star rating and sentiment"), Style(noise=1.0, n_attrs=(1, 3))),
    (_spec("EnAspectReview", "en", "review",
           ["aspect_extraction", "opinion_extraction", "aspect_category", "aspect_polarity"], "SemEval ABSA / MAMS",
           "EN reviews with (aspect, opinion, category, polarity) tuples"), Style(noise=0.5, n_attrs=(1, 3))),
    (_spec("EnReviewSumm", "en", "review", ["review_summary", "product_category"], "Amazon review summarisation",
           "EN reviews with a one-line summary"), Style(n_attrs=(2, 4))),
    (_spec("EnQuerySeg", "en", "query", ["query_segment", "query_rewrite"], "Amazon ESCI queries",
           "EN search queries with segments and clean rewrites"), Style(T_EN, noise=1.5)),
    (_spec("EnQueryIntent", "en", "query", ["query_intent", "query_category"], "query classification",
           "EN search queries with intent and category"), Style(T_EN, noise=1.0)),
    (_spec("EnServiceDialog", "en", "dialogue", ["dialog_intent", "next_turn"], "customer-support dialogues",
           "EN multi-turn service dialogues"), Style()),
    (_spec("EnProductQA", "en", "qa", ["answer_extract", "answerability", "evidence_select"], "AmazonQA",
           "EN attribute questions over descriptions and reviews"), Style(unanswerable_rate=0.25)),
    # ---- training sources: Chinese
    (_spec("TaobaoNER", "zh", "product", ["ner", "entity_span_detection", "entity_typing"], "Taobao NER",
           "ZH titles (no spaces) with typed spans"), Style(T_ZH)),
    (_spec("ZhAttrValue", "zh", "product",
           ["attribute_value_extraction", "attribute_value_detection", "attribute_naming"], "JD attribute extraction",
           "ZH titles annotated with attribute values"), Style(T_ZH, n_attrs=(2, 5))),
    (_spec("ZhProductCategory", "zh", "product", ["coarse_classify", "fine_classify", "title_generate"],
           "Taobao categorisation", "ZH titles with categories and descriptions"), Style(T_ZH)),
    (_spec("ZhReviewRating", "zh", "review", ["sentiment", "rating"], "JD reviews / online_shopping_10_cats",
           "ZH reviews with rating and sentiment"), Style(n_attrs=(1, 3))),
    (_spec("ZhAspectReview", "zh", "review",
           ["aspect_extraction", "opinion_extraction", "aspect_category", "aspect_polarity"], "ASAP",
           "ZH reviews with aspect tuples"), Style(n_attrs=(1, 3))),
    (_spec("ZhReviewSumm", "zh", "review", ["review_summary", "product_category"], "Chinese review summaries",
           "ZH reviews with a short summary"), Style(n_attrs=(2, 4))),
    (_spec("ZhQuery", "zh", "query", ["query_segment", "query_intent", "query_category", "query_rewrite"],
           "Alibaba query understanding", "ZH queries with segments, intent, category, rewrite"), Style(T_ZH)),
    (_spec("ZhServiceDialog", "zh", "dialogue", ["dialog_intent", "next_turn"], "JDDC",
           "ZH multi-turn service dialogues"), Style()),
    (_spec("ZhProductQA", "zh", "qa", ["answer_extract", "answerability", "evidence_select", "question_generate"],
           "JD product QA", "ZH attribute questions over descriptions and reviews"), Style(unanswerable_rate=0.25)),
    # ---- training sources: unlabelled, pseudo-labelled by the noisy labeler
    (_spec("EnQueryPseudo", "en", "query", ["query_intent", "query_category", "query_segment"],
           "unlabelled queries + ChatGPT labels", "EN queries labelled by the noisy labeler", pseudo=True),
     Style(T_EN, noise=1.0, pseudo=True)),
    (_spec("ZhProductPseudo", "zh", "product", ["coarse_classify", "fine_classify", "attribute_value_extraction"],
           "unlabelled products + ChatGPT labels", "ZH titles labelled by the noisy labeler", pseudo=True),
     Style(T_ZH, describe=False, pseudo=True)),
    # ---- held-out sources (the paper's held-out suite)
    (_spec("Lenovo", "en", "product", ["ner", "entity_span_detection"], "Lenovo (EN product NER)",
           "EN titles, 4 entity types (Brand, Product, Model, Specification)", heldout=True),
     Style(T_LENOVO, heldout_vocab=True, noise=0.5, n_attrs=(2, 4), taxonomy="lenovo", describe=False)),
    (_spec("Reddit_QA", "en", "qa", ["answer_extract"], "Reddit_QA", "informal EN posts with extractive answers",
           heldout=True), Style(heldout_vocab=True, taxonomy="reddit", unanswerable_rate=0.0)),
    (_spec("ABSA", "en", "review", ["topic_classify"], "ABSA review topics",
           "EN reviews, 5 topic labels, some multi-label", heldout=True),
     Style(heldout_vocab=True, taxonomy="absa", multi_label_rate=0.2)),
    (_spec("MEPAVE", "zh", "product", ["attribute_value_extraction", "attribute_value_detection"], "MEPAVE",
           "short ZH titles, attribute types named in Chinese", heldout=True),
     Style(T_MEPAVE, heldout_vocab=True, n_attrs=(1, 2), taxonomy="mepave", describe=False)),
    (_spec("Multi_CPR", "zh", "query", ["product_select"], "Multi-CPR",
           "ZH query + 4 candidate titles, select the match", heldout=True),
     Style(T_CPR, heldout_vocab=True, taxonomy="multi_cpr")),
    (_spec("OpenBG_Align", "zh", "product",
           ["item_align", "title_attribute_matching", "fine_classify", "coarse_classify", "title_generate"],
           "OpenBG", "ZH catalog: several title variants per product, OpenBG category names", heldout=True),
     Style(T_OPENBG, heldout_vocab=True, taxonomy="openbg", variants=3, n_attrs=(2, 4))),
]
_BY_NAME = {spec.name: (spec, style) for spec, style in _REGISTRY}


def list_sources() -> list[SourceSpec]:
    return [spec for spec, _ in _REGISTRY]


def get_source(name: str) -> SourceSpec:
    return _lookup(name)[0]


def _lookup(name: str) -> tuple[SourceSpec, Style]:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise DataError(f"unknown synthetic source {name!r}; known sources: {', '.join(_BY_NAME)}") from None


def iter_records(name: str, cfg: WorldConfig, seed: int) -> Iterator[RawRecord]:
    """``cfg.records_per_source`` validated records of source ``name``, generated lazily."""
    spec, style = _lookup(name)
    return _stream(spec, style, cfg, seed)


def _stream(spec: SourceSpec, style: Style, cfg: WorldConfig, seed: int, stream: str = "source"
            ) -> Iterator[RawRecord]:
    """``stream`` names an independent record stream over the same seeded catalog."""
    cat = build_catalog(seed, cfg.products_per_category)
    rng = random.Random(stable_seed(stream, seed, spec.name))
    gen = GENERATORS[spec.data_type](cat, spec.lang, style, cfg.typo_rate, rng)
    labeler = pl.label_product if spec.data_type == "product" else pl.label_query
    for i in range(cfg.records_per_source):
        text, spans, labels, meta = next(gen)
        if style.pseudo:  # its own RNG per record: the stream (texts) is the same at every error rate
            lrng = random.Random(stable_seed("labeler", seed, spec.name, i))
            spans, labels, pmeta = labeler(spec.lang, text, spans, labels, cfg.pseudo_label_error, lrng)
            meta.update(pmeta)
        yield RawRecord(f"{spec.name}-{i:06d}", spec.name, spec.data_type, spec.lang, text, spans, labels, meta).validate()
