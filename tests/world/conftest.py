import dataclasses

import pytest

from ecomlib.config import WorldConfig, load_profile



@pytest.fixture(scope="session")
def smoke_world() -> WorldConfig:
    return load_profile("smoke").world


@pytest.fixture(scope="session")
def world_cfg() -> WorldConfig:
    """Smoke sizes but more records, so each source shows its variety."""
    return dataclasses.replace(load_profile("smoke").world, records_per_source=150)
