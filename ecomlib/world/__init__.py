"""The synthetic bilingual (EN/ZH) e-commerce world: a seeded catalog rendered by many source datasets.

Public API::

    list_sources() -> list[SourceSpec]
    get_source(name) -> SourceSpec
    iter_records(name, cfg: WorldConfig, seed) -> Iterator[RawRecord]
    iter_pretrain_text(cfg, seed) -> Iterator[str]
    iter_general_instructions(cfg, seed) -> Iterator[dict]
"""

from ecomlib.world.general import iter_general_instructions
from ecomlib.world.pretrain import iter_pretrain_text
from ecomlib.world.sources import get_source, iter_records, list_sources

__all__ = ["list_sources", "get_source", "iter_records", "iter_pretrain_text", "iter_general_instructions"]
