"""One door to both data worlds: the builder asks for sources and records without caring which.

``synthetic`` is generated in code (``ecomlib.world``); ``open`` reads the pinned public files from
``ECOMLIB_DATA_DIR`` (``ecomlib.sources``). This is the records layer of the data flow: it may import
both worlds and the leaf modules; the record types themselves live in the leaf ``ecomlib.recordtypes``.
"""

from __future__ import annotations

from typing import Iterator

from ecomlib import sources, world
from ecomlib.config import Profile
from ecomlib.datadir import data_dir
from ecomlib.recordtypes import RawRecord, SourceSpec


def list_sources(profile: Profile) -> list[SourceSpec]:
    if profile.data.world == "synthetic":
        return world.list_sources()
    return sources.list_sources()


def iter_records(profile: Profile, source: str) -> Iterator[RawRecord]:
    if profile.data.world == "synthetic":
        return world.iter_records(source, profile.world, profile.seed)
    return sources.iter_records(source, data_dir())
