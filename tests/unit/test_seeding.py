"""The one stable-seed helper gives the values the four helpers it replaced gave (bit for bit: every
generated world, build and training run depends on them)."""

import hashlib

from ecomlib.seeding import stable_seed
from ecomlib.training.data import SEED_SEP


def _old_unit_sep(*parts):  # world/catalog.sub_seed, instruct/tasks.sub_seed, evaluation/suites._seed_for
    return int.from_bytes(hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()[:8], "big")


def _old_training(seed, *parts):  # training/data.sub_seed
    return int.from_bytes(hashlib.sha256("/".join([str(seed), *map(str, parts)]).encode()).digest()[:8], "big")


def test_values_are_the_old_helpers():
    for parts in [(0, "a"), ("catalog", 3), ("labeler", 7, "Src", 12), (42, "prompt", "EN-X-CLS-y", "中文")]:
        assert stable_seed(*parts) == _old_unit_sep(*parts)
        assert stable_seed(*parts, sep=SEED_SEP) == _old_training(*parts)


def test_pinned_values():
    assert stable_seed("catalog", 0) == 0x949EB73A6F9861CB
    assert stable_seed(1, "epoch", 0, sep=SEED_SEP) == 0x76D4536394546D0E
