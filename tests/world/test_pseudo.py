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
