"""Names and row shapes shared by the builder, training and evaluation.

Task names follow EcomGPT: ``LANG-Dataset-TaskType-name`` (e.g. ``EN-Lenovo-NER-NER``). The TaskType
part selects how outputs are formatted, parsed and scored, exactly as in the published evaluation code:

============================  =========  ===============================================
TaskType                      paradigm   gold output format
============================  =========  ===============================================
``CLS``                       CLS        labels joined by ``", "`` (one or several)
``NER``                       OTHER      one line per candidate type: ``Type: span, span``
                                         or ``Type: None`` when the type is absent
``Condition_Extract``         EXT        spans joined by ``", "`` (``None`` when empty)
``Extract``                   EXT        spans joined by ``", "`` (QA answer, selected title)
``Generate``                  GEN        free text
============================  =========  ===============================================

An EcomInstruct row (one line of ``train.jsonl`` / ``heldout.jsonl``) has these keys::

    task        str   the task name
    index       int   0-based row number within its task in this file
    prompt      str   the fully rendered instruction, ending with RESPONSE_MARKER
    input       str   the input part alone (the reference NER scorer tags spans found in it)
    output      str   the training target / gold answer (only this is trained on)
    lang        str   "en" | "zh"  (the input's language)
    paradigm    str   CLS | EXT | GEN | OTHER
    task_type   str   CLS | NER | Condition_Extract | Extract | Generate
    dataset     str   source dataset
    data_type   str   product | review | query | dialogue | qa | general
    origin      str   "benchmark" | "cot"
    strategy    str   "" for benchmark tasks, else simplify | reverse | recombine | pseudo
    parent      str   id of the raw record the instance came from
    candidates  list  candidate labels shown in the prompt ([] if none)
    level       str   held-out rows: "unseen_dataset" | "unseen_task"; held-in rows: "held_in"; train rows: ""
"""

from __future__ import annotations

TASK_TYPES = ("CLS", "NER", "Condition_Extract", "Extract", "Generate")
PARADIGM_OF_TASK_TYPE = {
    "CLS": "CLS",
    "NER": "OTHER",
    "Condition_Extract": "EXT",
    "Extract": "EXT",
    "Generate": "GEN",
}
PARADIGMS = ("CLS", "EXT", "GEN", "OTHER")
ORIGINS = ("benchmark", "cot")
STRATEGIES = ("simplify", "reverse", "recombine", "pseudo")
LEVELS = ("unseen_dataset", "unseen_task")
HELD_IN = "held_in"  # the level of held-in rows: unseen instances of training tasks
DATA_TYPES = ("product", "review", "query", "dialogue", "qa", "general")

RESPONSE_MARKER = "### Response:"
# A rendered prompt ends with PROMPT_END; the training text is prompt + output + EOS.
PROMPT_END = RESPONSE_MARKER + "\n"
# Layout "published" (ecomlib.instruct.templates) ends at the marker itself, as the published test prompts.
PROMPT_ENDS = (PROMPT_END, RESPONSE_MARKER)
LABEL_SEP = ", "  # the reference's label separator
NONE_ANSWER = "None"

ROW_KEYS = (
    "task", "index", "prompt", "input", "output", "lang", "paradigm", "task_type", "dataset", "data_type",
    "origin", "strategy", "parent", "candidates", "level",
)


def split_task_name(name: str) -> tuple[str, str, str, str]:
    """``EN-Lenovo-NER-NER`` -> ("EN", "Lenovo", "NER", "NER"). Dataset names never contain '-'."""
    parts = name.split("-", 3)
    if len(parts) != 4 or parts[0] not in ("EN", "ZH") or parts[2] not in TASK_TYPES:
        raise ValueError(
            f"task name {name!r}: expected LANG-Dataset-TaskType-name with LANG in EN/ZH and "
            f"TaskType in {TASK_TYPES}"
        )
    return parts[0], parts[1], parts[2], parts[3]


def format_ner_output(types: list[str], spans_by_type: dict[str, list[str]]) -> str:
    """The reference's NER answer: one ``Type: span, span`` line per candidate type, ``None`` if absent."""
    lines = []
    for t in types:
        found = spans_by_type.get(t) or []
        lines.append(f"{t}: {LABEL_SEP.join(found) if found else NONE_ANSWER}")
    return "\n".join(lines)


# Task kinds: what a task asks, independent of dataset. Benchmark tasks (SourceSpec.tasks) and CoT
# tasks both use these names; the TaskType says how the answer is formatted and scored.
TASK_KINDS: dict[str, str] = {
    # product titles
    "ner": "NER",
    "entity_span_detection": "Condition_Extract",
    "entity_typing": "CLS",
    "single_type_extraction": "Extract",
    "attribute_value_extraction": "NER",
    "attribute_value_detection": "Condition_Extract",
    "attribute_naming": "CLS",
    "attribute_pair_verification": "CLS",
    "coarse_classify": "CLS",
    "fine_classify": "CLS",
    "title_generate": "Generate",
    "title_attribute_matching": "CLS",
    "item_align": "CLS",
    # reviews
    "sentiment": "CLS",
    "rating": "CLS",
    "aspect_extraction": "Extract",
    "opinion_extraction": "Extract",
    "aspect_category": "CLS",
    "aspect_polarity": "CLS",
    "topic_classify": "CLS",
    "review_summary": "Generate",
    "product_category": "CLS",
    # queries
    "query_segment": "Extract",
    "query_intent": "CLS",
    "query_category": "CLS",
    "query_rewrite": "Generate",
    "product_select": "Extract",
    # dialogues
    "dialog_intent": "CLS",
    "next_turn": "Generate",
    # product QA
    "answer_extract": "Extract",
    "answerability": "CLS",
    "question_generate": "Generate",
    "answer_generate": "Generate",
    "evidence_select": "Extract",
    # open-world sources (ecomlib.instruct.kinds_open): product-matching pairs, addresses, one-turn
    # customer utterances, attributes with the copy written from them
    "offer_attribute_compare": "CLS",
    "differing_attribute": "CLS",
    "title_normalize": "Generate",
    "address_parse": "NER",
    "address_component_match": "CLS",
    "address_match": "CLS",
    "dialog_category": "CLS",
    "utterance_generate": "Generate",
    "description_generate": "Generate",
    "copy_attributes": "NER",
    "query_generate": "Generate",
}

# The paper's three "unseen task" types: absent from training in every dataset, so that the held-out
# suite's Unseen Task level really is unseen (paper Table 4: Product Align, Review Topic
# Classification, Product Select).
UNSEEN_TASK_KINDS = ("item_align", "topic_classify", "product_select")
