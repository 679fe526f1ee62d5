import pytest

from ecomlib.errors import DataError
from ecomlib.recordtypes import RECORD_DATA_TYPES, LANGS
from ecomlib.schema import TASK_KINDS, UNSEEN_TASK_KINDS
from ecomlib.world import get_source, list_sources
from ecomlib.world.dialogues import INTENT_NAMES

HELDOUT = {
    "Lenovo": ("en", "product", {"ner", "entity_span_detection"}),
    "Reddit_QA": ("en", "qa", {"answer_extract"}),
    "ABSA": ("en", "review", {"topic_classify"}),
    "MEPAVE": ("zh", "product", {"attribute_value_extraction", "attribute_value_detection"}),
    "Multi_CPR": ("zh", "query", {"product_select"}),
    "OpenBG_Align": ("zh", "product",
                     {"item_align", "title_attribute_matching", "fine_classify", "coarse_classify", "title_generate"}),
}


def test_counts():
    srcs = list_sources()
    assert len(srcs) >= 24
    assert sum(s.heldout for s in srcs) >= 6
    assert sum(s.pseudo for s in srcs) >= 2
    assert sum(not s.heldout for s in srcs) >= 18
    assert len({s.name for s in srcs}) == len(srcs)


def test_order_is_stable():
    assert [s.name for s in list_sources()] == [s.name for s in list_sources()]


def test_spec_fields_valid():
    for s in list_sources():
        assert "-" not in s.name and " " not in s.name, s.name
        assert s.lang in LANGS and s.data_type in RECORD_DATA_TYPES
        assert s.tasks and all(t in TASK_KINDS for t in s.tasks), (s.name, s.tasks)
        assert s.paper_analog and s.description


def test_training_sources_never_list_unseen_kinds():
    for s in list_sources():
        if not s.heldout:
            assert not set(s.tasks) & set(UNSEEN_TASK_KINDS), s.name


def test_heldout_suite_mirrors_paper():
    held = {s.name: s for s in list_sources() if s.heldout}
    assert set(held) == set(HELDOUT)
    for name, (lang, kind, tasks) in HELDOUT.items():
        assert (held[name].lang, held[name].data_type, set(held[name].tasks)) == (lang, kind, tasks)
    assert not any(s.pseudo for s in held.values())


def test_training_covers_languages_and_kinds():
    train = [s for s in list_sources() if not s.heldout]
    for lang in LANGS:
        assert {s.data_type for s in train if s.lang == lang} == set(RECORD_DATA_TYPES), lang
    assert {s.lang for s in train if s.pseudo} == {"en", "zh"}
    assert {s.data_type for s in train if s.pseudo} == {"query", "product"}


def test_get_source_and_unknown_name():
    assert get_source("Lenovo").heldout
    with pytest.raises(DataError) as exc:
        get_source("NoSuchSource")
    assert "NoSuchSource" in str(exc.value) and "AmazonTitleNER" in str(exc.value)


def test_dialogue_intents():
    assert len(INTENT_NAMES) >= 15
