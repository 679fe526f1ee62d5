import re

from ecomlib.world import lexicon as lx
from ecomlib.world.catalog import build_catalog, categories

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_category_counts_and_names():
    cats = categories()
    assert len(lx.COARSE) >= 8
    assert len(cats) >= 60
    for c in cats:
        assert c.en and c.en.isascii() and CJK.search(c.zh) and " " not in c.zh
    assert len({c.en for c in cats}) == len(cats) and len({c.zh for c in cats}) == len(cats)


def test_attribute_schemas():
    for coarse, (attrs, _) in enumerate(lx.SCHEMA):
        assert len(attrs) >= 5, lx.COARSE[coarse]
        for a in attrs:
            vals = lx.values_for(coarse, a)
            assert len(vals) >= 3
            for en, zh in vals:
                assert en.isascii() and zh and " " not in zh
            assert len({en for en, _ in vals}) == len(vals)


def test_catalog_deterministic_and_seeded():
    a, b = build_catalog(0, 3), build_catalog(0, 3)
    assert a == b
    c = build_catalog(1, 3)
    assert [p.brand.en for p in a.train_products] != [p.brand.en for p in c.train_products]


def test_products_and_brand_split():
    cat = build_catalog(0, 3)
    assert len(cat.train_products) == 3 * len(cat.categories)
    assert len(cat.heldout_products) == 1 * len(cat.categories)
    assert all(not p.heldout for p in cat.train_products) and all(p.heldout for p in cat.heldout_products)
    train_brands = {p.brand.en for p in cat.train_products}
    held_brands = {p.brand.en for p in cat.heldout_products}
    assert train_brands and held_brands and not train_brands & held_brands
    for p in cat.train_products + cat.heldout_products:
        assert len(p.attrs) >= 5 and p.price > 0
        assert [a for a, _, _ in p.attrs] == lx.SCHEMA[p.category.coarse][0]
    every = cat.train_products + cat.heldout_products
    assert len({p.pid for p in every}) == len(every)


def test_modifier_pools_disjoint():
    for lang in ("en", "zh"):
        assert not set(lx.MODIFIERS_TRAIN[lang]) & set(lx.MODIFIERS_HELDOUT[lang])
