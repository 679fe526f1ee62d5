import dataclasses

import pytest

from ecomlib.world import iter_records, list_sources

PSEUDO = [s.name for s in list_sources() if s.pseudo]


@pytest.mark.parametrize("name", PSEUDO)
@pytest.mark.parametrize("rate", [0.0, 0.15, 0.4, 1.0])
def test_error_rate_matches_config(name, rate, smoke_world):
    cfg = dataclasses.replace(smoke_world, records_per_source=2000, pseudo_label_error=rate)
    errors = fields = 0
    for r in iter_records(name, cfg, 0):
        assert r.meta["pseudo"] is True
        assert r.meta["label_errors"] == len(r.meta["corrupted"])
        errors += r.meta["label_errors"]
        fields += r.meta["pseudo_fields"]
    assert abs(errors / fields - rate) < 0.02, (errors / fields, rate)


def test_corruption_really_changes_labels(smoke_world):
    """Same seed, error 0 vs 1: every field differs from the clean label."""
    clean = dataclasses.replace(smoke_world, records_per_source=200, pseudo_label_error=0.0)
    dirty = dataclasses.replace(smoke_world, records_per_source=200, pseudo_label_error=1.0)
    for a, b in zip(iter_records("EnQueryPseudo", clean, 0), iter_records("EnQueryPseudo", dirty, 0)):
        assert a.text == b.text
        assert a.labels["intent"] != b.labels["intent"] and a.labels["category"] != b.labels["category"]
        assert len(b.labels["segments"]) == len(a.labels["segments"]) - 1
        break


def test_non_pseudo_sources_have_no_pseudo_meta(smoke_world):
    for s in list_sources():
        if not s.pseudo:
            assert all("pseudo" not in r.meta for r in iter_records(s.name, smoke_world, 0))


def test_stream_is_the_same_at_every_error_rate(smoke_world):
    """The labeler has its own RNG: a clean and a noisy run label the same texts (old: one shared RNG)."""
    clean = dataclasses.replace(smoke_world, records_per_source=200, pseudo_label_error=0.0)
    dirty = dataclasses.replace(smoke_world, records_per_source=200, pseudo_label_error=0.5)
    for name in PSEUDO:
        assert [r.text for r in iter_records(name, clean, 0)] == [r.text for r in iter_records(name, dirty, 0)]


def test_errors_are_confusions_a_model_makes(smoke_world):
    from ecomlib.world.catalog import categories
    from ecomlib.world.pseudo import CONFUSABLE_ATTRS, CONFUSABLE_INTENTS

    clean = dataclasses.replace(smoke_world, records_per_source=300, pseudo_label_error=0.0)
    dirty = dataclasses.replace(smoke_world, records_per_source=300, pseudo_label_error=1.0)
    zh = {c.zh: c for c in categories()}
    for a, b in zip(iter_records("ZhProductPseudo", clean, 0), iter_records("ZhProductPseudo", dirty, 0)):
        right, wrong = zh[a.labels["category_fine"]], zh[b.labels["category_fine"]]
        assert wrong != right and (set(wrong.zh) & set(right.zh) or wrong.coarse == right.coarse)
        assert b.labels["category_coarse"] == wrong.coarse_zh  # the coarse label follows the confusion
        missed = set(a.labels["attributes"]) - set(b.labels["attributes"])
        renamed = set(b.labels["attributes"]) - set(a.labels["attributes"])
        assert len(missed) == 1 and len(renamed) <= 1
        old = next(iter(missed))
        free = [n for n in CONFUSABLE_ATTRS[old] if n not in a.labels["attributes"]]
        if renamed and free:  # a rename uses a confusable name while one is free
            assert next(iter(renamed)) in free
    en = {c.en: c for c in categories()}
    for a, b in zip(iter_records("EnQueryPseudo", clean, 0), iter_records("EnQueryPseudo", dirty, 0)):
        assert b.labels["intent"] in CONFUSABLE_INTENTS[a.labels["intent"]]
        right, wrong = en[a.labels["category"]], en[b.labels["category"]]
        assert set(wrong.en.lower().split()) & set(right.en.lower().split()) or wrong.coarse == right.coarse
