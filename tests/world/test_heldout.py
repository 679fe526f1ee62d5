"""Held-out sources: their own style and vocabulary (low n-gram overlap with training), same concepts."""

import dataclasses
import re
import statistics
from collections import Counter, defaultdict

import pytest

from ecomlib.world import iter_pretrain_text, iter_records, list_sources
from ecomlib.world import lexicon as lx
from ecomlib.world.catalog import build_catalog


@pytest.fixture(scope="module")
def cfg(world_cfg):
    return dataclasses.replace(world_cfg, records_per_source=300)


def grams(text, lang, n):
    toks = text.split() if lang == "en" else list(text)
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def overlap(name, others, cfg, lang, n):
    """Share of ``name``'s distinct title n-grams that also occur in the ``others`` sources."""
    mine = set().union(*(grams(r.text, lang, n) for r in iter_records(name, cfg, 0)))
    theirs = set().union(*(grams(r.text, lang, n) for o in others for r in iter_records(o, cfg, 0)))
    return len(mine & theirs) / len(mine)


def train_titles(lang):
    # cased, template-driven training title sources (the lower-cased noisy one is its own style)
    return [s.name for s in list_sources()
            if s.lang == lang and s.data_type == "product" and not s.heldout and s.name != "EnNoisyTitle"]


@pytest.mark.parametrize("name,lang,n,factor", [("Lenovo", "en", 3, 0.5), ("OpenBG_Align", "zh", 4, 0.5),
                                                ("MEPAVE", "zh", 4, 0.8)])
def test_heldout_title_ngram_overlap_low(name, lang, n, factor, cfg):
    train = train_titles(lang)
    held = overlap(name, train, cfg, lang, n)
    # reference: how much a training source overlaps the other training sources
    ref = statistics.mean(overlap(t, [o for o in train if o != t], cfg, lang, n) for t in train)
    assert held < factor * ref, (name, held, ref)


def test_heldout_brands_and_modifiers_never_in_training(cfg):
    cat = build_catalog(0, cfg.products_per_category)
    held_brands = {b.en.lower() for b in cat.brands if b.heldout} | {b.zh for b in cat.brands if b.heldout}
    train_brands = {b.en.lower() for b in cat.brands if not b.heldout} | {b.zh for b in cat.brands if not b.heldout}
    held_mods = {m.lower() for lang in ("en", "zh") for m in lx.MODIFIERS_HELDOUT[lang]}
    seen = Counter()
    for s in list_sources():
        for r in iter_records(s.name, cfg, 0):
            for sp in r.spans:
                t = sp.text.lower()
                if sp.type in ("brand", "Brand") or (sp.type == "modifier" and t in held_mods):
                    seen[(s.heldout, t in held_brands or t in held_mods, t in train_brands)] += 1
    assert seen[(False, True, False)] == 0  # training never shows a held-out brand or modifier
    assert seen[(True, False, True)] == 0  # held-out never shows a training brand
    assert seen[(True, True, False)] > 0 and seen[(False, False, True)] > 0


def test_heldout_label_taxonomies_are_their_own(cfg):
    def span_types(name):
        return {sp.type for r in iter_records(name, cfg, 0) for sp in r.spans}

    train_types = set().union(*(span_types(s.name) for s in list_sources() if not s.heldout and s.data_type == "product"))
    assert span_types("Lenovo") == {"Brand", "Product", "Model", "Specification"}
    mepave = span_types("MEPAVE")
    assert len(mepave) >= 10 and not mepave & train_types
    openbg = {r.labels["category_fine"] for r in iter_records("OpenBG_Align", cfg, 0)}
    train_fine = {r.labels["category_fine"] for r in iter_records("ZhProductCategory", cfg, 0)}
    assert openbg and not openbg & train_fine
    # ...but the same concepts: OpenBG's fine label ends with the catalog's Chinese category name
    assert {f.split(">")[1] for f in openbg} <= {c for fines in lx.FINE for _, c in fines}


def test_item_align_has_title_variants(cfg):
    titles = defaultdict(set)
    for r in iter_records("OpenBG_Align", cfg, 0):
        titles[r.labels["product_id"]].add(r.text)
    assert sum(len(v) >= 2 for v in titles.values()) >= len(titles) // 2


def test_absa_topics(cfg):
    topics = [r.labels["topics"] for r in iter_records("ABSA", cfg, 0)]
    assert len({t for ts in topics for t in ts}) == 5
    multi = sum(len(ts) > 1 for ts in topics) / len(topics)
    assert 0.1 < multi < 0.35


def test_mepave_inputs_short(cfg):
    lens = [len(r.text) for r in iter_records("MEPAVE", cfg, 0)]
    assert statistics.mean(lens) < 14


def test_pretrain_text_excludes_heldout(smoke_world):
    cat = build_catalog(0, smoke_world.products_per_category)
    held = [b.en.lower() for b in cat.brands if b.heldout] + [b.zh for b in cat.brands if b.heldout]
    cfg = dataclasses.replace(smoke_world, pretrain_documents=1500)
    docs = list(iter_pretrain_text(cfg, 0))
    assert len(docs) == 1500
    blob = "\n".join(docs).lower()
    words = set(re.findall(r"[a-z]+", blob))
    assert not [b for b in held if (b in words if b.isascii() else b in blob)]
    train = [b.en.lower() for b in cat.brands if not b.heldout]
    assert sum(b in words for b in train) > len(train) // 2  # same catalog as the records
    assert not [m for m in lx.MODIFIERS_HELDOUT["zh"] if m in blob]
    assert not [m for m in lx.MODIFIERS_HELDOUT["en"] if re.search(rf"\b{m.lower()}\b", blob)]
