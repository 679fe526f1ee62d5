"""One door to both data worlds: the builder asks for sources and records without caring which.

``synthetic`` is generated in code (``ecomlib.world``); ``open`` reads the pinned public files from
``ECOMLIB_DATA_DIR`` (``ecomlib.sources``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from ecomlib.config import Profile
from ecomlib.datadir import data_dir
from ecomlib.errors import DataError
from ecomlib.records import RawRecord, SourceSpec


def list_sources(profile: Profile) -> list[SourceSpec]:
    if profile.data.world == "synthetic":
        from ecomlib import world

        return world.list_sources()
    from ecomlib import sources

    return sources.list_sources()


def iter_records(profile: Profile, source: str) -> Iterator[RawRecord]:
    if profile.data.world == "synthetic":
        from ecomlib import world

        return world.iter_records(source, profile.world, profile.seed)
    from ecomlib import sources

    return sources.iter_records(source, data_dir())
