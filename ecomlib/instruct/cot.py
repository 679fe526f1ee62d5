"""Chain-of-Task derivation strategies: which atomic tasks each record kind yields, and how.

Each entry says: from records of this data type, the strategy ``S`` derives task kind ``K`` out of
the gold labels (``simplify``: a sub-part of a compound annotation; ``reverse``: swap input and
output; ``recombine``: combine annotations of one or several records into a new question). The
fourth strategy, ``pseudo``, is not a derivation but a provenance: every task of a source whose
labels come from the noisy labeler (``SourceSpec.pseudo``) is a CoT task with strategy ``pseudo``.

Whether a derivation applies to a given source is decided by its records (``tasks.py`` probes the
first records: a kind applies when its kind function yields instances), so a source that lacks,
say, attribute annotations simply gets no attribute tasks.
"""

from __future__ import annotations

from ecomlib.schema import STRATEGIES, TASK_KINDS

STRATEGY_DOC = {
    "simplify": "a sub-part of a compound gold annotation (e.g. NER -> span detection, entity typing)",
    "reverse": "input and output swapped (e.g. attributes -> title, answer -> question)",
    "recombine": "annotations combined within or across records (e.g. title-attribute matching)",
    "pseudo": "labels produced by the noisy labeler (the paper's ChatGPT pseudo-labels)",
}

# data type -> [(task kind, strategy)], in a fixed order (the registry's order).
DERIVATIONS: dict[str, list[tuple[str, str]]] = {
    "product": [
        ("entity_span_detection", "simplify"),
        ("entity_typing", "simplify"),
        ("single_type_extraction", "simplify"),
        ("attribute_value_detection", "simplify"),
        ("attribute_naming", "reverse"),
        ("attribute_pair_verification", "recombine"),
        ("coarse_classify", "simplify"),
        ("fine_classify", "simplify"),
        ("title_generate", "reverse"),
        ("title_attribute_matching", "recombine"),
        ("item_align", "recombine"),
    ],
    "review": [
        ("aspect_extraction", "simplify"),
        ("opinion_extraction", "simplify"),
        ("aspect_category", "simplify"),
        ("aspect_polarity", "simplify"),
        ("rating", "simplify"),
        ("sentiment", "simplify"),
        ("review_summary", "simplify"),
        ("product_category", "simplify"),
        ("topic_classify", "simplify"),
    ],
    "query": [
        ("query_segment", "simplify"),
        ("query_intent", "simplify"),
        ("query_category", "simplify"),
        ("query_rewrite", "reverse"),
        ("product_select", "recombine"),
    ],
    "dialogue": [
        ("dialog_intent", "simplify"),
        ("next_turn", "reverse"),
    ],
    "qa": [
        ("answerability", "simplify"),
        ("question_generate", "reverse"),
        ("evidence_select", "recombine"),
        ("answer_extract", "simplify"),
    ],
}


def derivations(data_type: str) -> list[tuple[str, str]]:
    """The (kind, strategy) pairs a record of this data type may yield (empty for unknown types)."""
    return list(DERIVATIONS.get(data_type, []))


def source_derivations(spec) -> list[tuple[str, str]]:
    """A source's own derivations where it lists them (the open world's pair, address, utterance and
    copywriting sources: the data type's generic list would ask, e.g., for a "title" generated from
    ``类型#上衣*材质#牛仔布``), else its data type's."""
    return list(spec.derivations) if spec.derivations is not None else derivations(spec.data_type)


def _check() -> None:
    for dt, pairs in DERIVATIONS.items():
        for kind, strategy in pairs:
            assert kind in TASK_KINDS, (dt, kind)
            assert strategy in STRATEGIES and strategy != "pseudo", (dt, strategy)


_check()
