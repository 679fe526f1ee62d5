"""The task registry: names, origins, strategies, held-out flags, unseen kinds, versions."""

import pytest

from ecomlib.errors import DataError
from ecomlib.instruct import task_registry
from ecomlib.instruct.tasks import REGISTRY_VERSION, registry_for
from ecomlib.recordtypes import SourceSpec
from ecomlib.schema import PARADIGM_OF_TASK_TYPE, TASK_KINDS, UNSEEN_TASK_KINDS, split_task_name
from tests.instruct.fixture_world import FixtureWorld


def test_names_and_fields(world, smoke):
    reg = task_registry(smoke)
    assert len({t.name for t in reg}) == len(reg)
    for t in reg:
        lang, dataset, task_type, kind = split_task_name(t.name)
        assert (lang, dataset, task_type, kind) == (t.lang.upper(), t.dataset, t.task_type, t.kind)
        assert TASK_KINDS[t.kind] == t.task_type and PARADIGM_OF_TASK_TYPE[t.task_type] == t.paradigm
        assert t.version >= 1 and REGISTRY_VERSION >= 1
        assert (t.origin == "benchmark") == (t.strategy == "")


def test_origins_follow_source_specs(world, smoke):
    reg = task_registry(smoke)
    specs = {s.name: s for s in world.list_sources()}
    for t in reg:
        spec = specs[t.dataset]
        if spec.pseudo:
            assert (t.origin, t.strategy) == ("cot", "pseudo")
        elif t.kind in spec.tasks:
            assert t.origin == "benchmark"
        else:
            assert t.origin == "cot" and t.strategy in ("simplify", "reverse", "recombine")
    names = {t.name for t in reg}
    assert "EN-TitleNER-NER-ner" in names and "EN-TitleNER-CLS-entity_typing" in names
    assert "EN-ReviewABSA-CLS-aspect_polarity" in names and "EN-ProdQA-Generate-question_generate" in names


def test_unseen_kinds_only_for_heldout_and_heldout_has_no_cot(world, smoke):
    reg = task_registry(smoke)
    for t in reg:
        if t.kind in UNSEEN_TASK_KINDS:
            assert t.heldout and t.level == "unseen_task"
        if t.heldout:
            assert t.origin == "benchmark" and t.level in ("unseen_dataset", "unseen_task")
        else:
            assert t.level == ""
    # AlignTrain (training) lists item_align: dropped; its coarse_classify stays a benchmark task.
    align = {t.kind: t.origin for t in reg if t.dataset == "AlignTrain"}
    assert "item_align" not in align and align["coarse_classify"] == "benchmark"
    assert {t.level for t in reg if t.dataset == "HeldTitles"} == {"unseen_dataset", "unseen_task"}


def test_cot_tasks_follow_available_labels():
    # ZhTitleAttr has no fine category; a product source without attributes gets no attribute tasks.
    w = FixtureWorld(n=20)
    reg = registry_for(w.list_sources(), w.iter_records, 0)
    zh = {t.kind for t in reg if t.dataset == "ZhTitleAttr"}
    assert "coarse_classify" in zh and "fine_classify" not in zh

    def stripped(name):
        for rec in w.iter_records(name):
            rec.labels.pop("attributes", None)
            rec.labels.pop("title_parts", None)
            yield rec

    reg2 = registry_for([SourceSpec("TitleNER", "en", "product", ("ner",))], stripped, 0)
    kinds = {t.kind for t in reg2}
    assert "entity_typing" in kinds and not kinds & {"attribute_naming", "title_generate", "attribute_value_detection"}


def test_bad_source_specs_raise():
    w = FixtureWorld(n=2)
    with pytest.raises(DataError, match="no '-'"):
        registry_for([SourceSpec("Bad-Name", "en", "product", ("ner",))], w.iter_records, 0)
    with pytest.raises(DataError, match="not in ecomlib.schema.TASK_KINDS"):
        registry_for([SourceSpec("X", "en", "product", ("nope",))], w.iter_records, 0)
