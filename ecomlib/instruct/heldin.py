"""Held-in split: unseen instances of *training* tasks (the paper's Table 6 evaluation).

A record-level split. Within each dataset that has a held-in task, a fixed share of records (chosen by a
hash of the seed, the dataset and the record's normalised text, so it does not depend on stream order) is
reserved: those records feed only the held-in tasks, never a training task of that dataset, CoT tasks
included. The builder afterwards drops any training row whose normalised input equals a held-in input
(another dataset can repeat a text), so held-in is checked like the held-out split.
"""

from __future__ import annotations

import hashlib

from ecomlib.errors import ConfigError

# One benchmark task per dataset: the paper's held-in list (Ecom-NER, Youku-NER, Amazon-QA, CCKS address
# matching, JDDC intent). The synthetic world has analogs of four of them plus the two datasets notebook 04
# ablates most (reviews, queries), so Table 6 can be read per dataset; the open world has the real Taobao
# (the paper's Ecom) and Youku NER, the CCKS 2021 address matching, and Bitext intent as the intent analog.
DEFAULT_HELDIN = {
    "synthetic": (
        "TaobaoNER:ner", "AmazonTitleNER:ner", "EnProductQA:answer_extract", "ZhServiceDialog:dialog_intent",
        "EnReviewRating:sentiment", "EnQueryIntent:query_intent",
    ),
    "open": ("TaobaoNER:ner", "YoukuNER:ner", "CCKSAddress:address_match", "Bitext:dialog_intent"),
}


def heldin_entries(data) -> tuple[str, ...]:
    if data.heldin_per_task == 0:
        return ()
    return tuple(data.heldin_tasks) if data.heldin_tasks is not None else DEFAULT_HELDIN.get(data.world, ())


def heldin_task_names(data, registry) -> set[str]:
    """Names of the held-in tasks. An entry the user gave must name a training benchmark task of the
    registry; the world's default list applies to the tasks it finds (a custom source list may lack some)."""
    by_key = {f"{t.dataset}:{t.kind}": t.name for t in registry if not t.heldout and t.origin == "benchmark"}
    explicit = data.heldin_tasks is not None
    out = set()
    for entry in heldin_entries(data):
        if entry not in by_key and not explicit:
            continue
        if entry not in by_key:
            raise ConfigError(
                f"data.heldin_tasks: {entry!r} is not a training benchmark task of the {data.world} world; "
                f"expected one of: {', '.join(sorted(by_key))}"
            )
        out.add(by_key[entry])
    return out


def is_reserved(seed: int, dataset: str, norm_text: str, fraction: float) -> bool:
    """Whether a record of ``dataset`` belongs to the held-in share (deterministic, order-free)."""
    h = hashlib.blake2b(f"heldin\x00{seed}\x00{dataset}\x00{norm_text}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64 < fraction
