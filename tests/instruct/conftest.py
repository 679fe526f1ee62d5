import pytest

from ecomlib.config import load_profile
from tests.instruct.fixture_world import FixtureWorld


@pytest.fixture
def world(monkeypatch) -> FixtureWorld:
    """Route ecomlib.records to the hand-written fixture world."""
    w = FixtureWorld(n=40)
    monkeypatch.setattr("ecomlib.records.list_sources", lambda profile: w.list_sources())
    monkeypatch.setattr("ecomlib.records.iter_records", lambda profile, name: w.iter_records(name))
    return w


@pytest.fixture
def smoke():
    return load_profile("smoke")


@pytest.fixture(scope="session")
def smoke_build():
    """One smoke build over the fixture world, shared by read-only tests."""
    from ecomlib.instruct.builder import build_rows

    w = FixtureWorld(n=40)
    return build_rows(load_profile("smoke"), w.list_sources(), w.iter_records)
