"""The seeded product catalog: categories, brands and products, shared by every source.

The catalog is a pure function of (seed, products_per_category) and is cached, so every source
renders the same underlying products. Each fine category gets ``products_per_category`` products of
*training* brands plus half as many (at least one) of *held-out* brands: held-out sources render only
the latter, so their brand vocabulary never appears in training while the concepts (categories,
attributes, values, product words) are shared.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

from ecomlib.seeding import stable_seed
from ecomlib.world import lexicon as lx

BRANDS_PER_COARSE = 12
HELDOUT_BRANDS_PER_COARSE = 4


@dataclass(frozen=True)
class Brand:
    en: str
    zh: str
    coarse: int
    heldout: bool


@dataclass(frozen=True)
class Category:
    index: int  # global fine index
    coarse: int
    en: str  # also the product word
    zh: str

    @property
    def coarse_en(self) -> str:
        return lx.COARSE[self.coarse][0]

    @property
    def coarse_zh(self) -> str:
        return lx.COARSE[self.coarse][1]


@dataclass(frozen=True)
class Product:
    pid: str
    category: Category
    brand: Brand
    model: str
    attrs: tuple[tuple[str, str, str], ...]  # (attr, en value, zh value) in schema order
    price: float

    @property
    def heldout(self) -> bool:
        return self.brand.heldout


@dataclass(frozen=True)
class Catalog:
    categories: tuple[Category, ...]
    brands: tuple[Brand, ...]
    train_products: tuple[Product, ...]
    heldout_products: tuple[Product, ...]

    def products(self, heldout: bool) -> tuple[Product, ...]:
        return self.heldout_products if heldout else self.train_products


@functools.lru_cache(maxsize=1)
def categories() -> tuple[Category, ...]:
    out = []
    for c, fines in enumerate(lx.FINE):
        for en, zh in fines:
            out.append(Category(len(out), c, en, zh))
    return tuple(out)


def _brands(rng: random.Random) -> tuple[Brand, ...]:
    seen_en: set[str] = set()
    seen_zh: set[str] = set()
    out = []
    for c in range(len(lx.COARSE)):
        for i in range(BRANDS_PER_COARSE):
            while True:
                en = "".join(rng.choice(lx.BRAND_SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()
                zh = "".join(rng.choice(lx.BRAND_CHARS) for _ in range(2))
                if en not in seen_en and zh not in seen_zh and len(en) >= 4:
                    break
            seen_en.add(en)
            seen_zh.add(zh)
            out.append(Brand(en, zh, c, heldout=i >= BRANDS_PER_COARSE - HELDOUT_BRANDS_PER_COARSE))
    return tuple(out)


@functools.lru_cache(maxsize=8)
def build_catalog(seed: int, products_per_category: int) -> Catalog:
    rng = random.Random(stable_seed("catalog", seed))
    cats = categories()
    brands = _brands(rng)
    train: list[Product] = []
    held: list[Product] = []
    n_held = max(1, products_per_category // 2)
    for cat in cats:
        pool_train = [b for b in brands if b.coarse == cat.coarse and not b.heldout]
        pool_held = [b for b in brands if b.coarse == cat.coarse and b.heldout]
        attrs_schema = lx.SCHEMA[cat.coarse][0]
        base_price = 10.0 * (1 + cat.coarse) + 3.0 * (cat.index % 8)
        for k in range(products_per_category + n_held):
            is_held = k >= products_per_category
            brand = rng.choice(pool_held if is_held else pool_train)
            model = f"{rng.choice('ABCDEFGHKMPRSTVXZ')}{rng.choice('ABCDEFGHKMPRSTVXZ')}{rng.randint(10, 999)}"
            attrs = tuple((a,) + rng.choice(lx.values_for(cat.coarse, a)) for a in attrs_schema)
            price = round(base_price * rng.uniform(0.5, 3.0), 2)
            p = Product(f"P{cat.index:02d}{k:03d}{'H' if is_held else 'T'}", cat, brand, model, attrs, price)
            (held if is_held else train).append(p)
    return Catalog(cats, brands, tuple(train), tuple(held))
