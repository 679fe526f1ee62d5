"""The open world's pair, address, utterance and copywriting kinds (issue #17) on hand-written records, the
source-specific derivations, and the open build's four data types on the real files (gated)."""

import dataclasses
import random
from collections import Counter

import pytest

from ecomlib.errors import DataError
from ecomlib.instruct import cot
from ecomlib.instruct.kinds import KIND_FUNCS, Context
from ecomlib.instruct.tasks import check_source, registry_for
from ecomlib.recordtypes import RawRecord, Span, SourceSpec


def _ctx(seed=0):
    return Context(random.Random(seed))


def _pair(left, right, same=False, lid="p1"):
    title = left.get("title") or left["name"]
    return RawRecord(id=lid, source="AmazonGoogle", data_type="product", lang="en", text=title,
                     labels={"offer": left, "other_offer": right, "other_title": right.get("title") or right.get("name"),
                             "same_product": same})


def test_offer_comparison_asks_which_price_is_higher_and_never_whether_the_pair_matches():
    rec = _pair({"title": "office 2007", "manufacturer": "microsoft", "price": "199.99"},
                {"title": "ms office 2007 pro", "manufacturer": "microsoft", "price": "$ 249.00"})
    inst = KIND_FUNCS["offer_attribute_compare"](rec, _ctx())
    assert inst.answer == ["Product B"] and inst.closed == ("Product A", "Product B")
    assert inst.input.endswith("Attribute: price") and "price: 199.99" in inst.input
    # equal values have no answer; a non-numeric field is not compared
    tie = _pair({"title": "a", "price": "10"}, {"title": "b", "price": "10.0"})
    assert KIND_FUNCS["offer_attribute_compare"](tie, _ctx()) is None
    words = _pair({"title": "a", "manufacturer": "sage"}, {"title": "b", "manufacturer": "intuit"})
    assert KIND_FUNCS["offer_attribute_compare"](words, _ctx()) is None


def test_differing_attribute_skips_free_text_and_needs_two_short_fields():
    left = {"title": "office", "manufacturer": "Microsoft", "price": "199.99"}
    right = {"title": "ms office", "manufacturer": "microsoft ", "price": "249"}
    inst = KIND_FUNCS["differing_attribute"](_pair(left, right), _ctx())
    assert inst.answer == ["price"] and inst.closed == ("manufacturer", "price")  # case and spaces do not differ
    # Abt-Buy: a long description (two shops never word it alike) and a price: one short field only
    abt = _pair({"name": "sony tv", "description": "x" * 80, "price": "10"},
                {"name": "sony bravia", "description": "y" * 80, "price": "12"})
    assert KIND_FUNCS["differing_attribute"](abt, _ctx()) is None


def test_title_normalize_uses_matched_pairs_only():
    same = _pair({"title": "whirlpool washer wfw9200"}, {"title": "whirlpool duet washer"}, same=True)
    assert KIND_FUNCS["title_normalize"](same, _ctx()).answer == "whirlpool duet washer"
    other = dataclasses.replace(same, labels={**same.labels, "same_product": False})
    assert KIND_FUNCS["title_normalize"](other, _ctx()) is None


def _address(rid, text, comps):
    spans, pos = [], 0
    for typ, value in comps:
        start = text.index(value, pos)
        spans.append(Span(start, start + len(value), typ, value))
        pos = start + len(value)
    return RawRecord(id=rid, source="ChineseAddress", data_type="query", lang="zh", text=text, spans=spans,
                     labels={"components": [list(c) for c in comps]})


def test_address_parse_and_typing_name_the_input_an_address():
    rec = _address("a1", "杭州市西湖区文三路", [("city", "杭州市"), ("district", "西湖区"), ("road", "文三路")])
    assert KIND_FUNCS["address_parse"](rec, _ctx()).answer == {"city": ["杭州市"], "district": ["西湖区"], "road": ["文三路"]}
    assert KIND_FUNCS["entity_typing"](rec, _ctx()).input.startswith("地址：杭州市西湖区文三路\n片段：")


def test_address_component_match_pairs_addresses_that_share_a_value():
    ctx, answers = _ctx(1), Counter()
    recs = [_address(f"a{i}", f"杭州市{d}区路{i}号", [("city", "杭州市"), ("district", f"{d}区")])
            for i, d in enumerate(["西湖", "滨江", "西湖", "滨江"] * 10)]
    for rec in recs:
        inst = KIND_FUNCS["address_component_match"](rec, ctx)
        if inst is not None:
            typ = inst.input.rsplit("类型：", 1)[1]
            a, b = (line.split("：", 1)[1] for line in inst.input.splitlines()[:2])
            truth = next(r for r in recs if r.text == b).labels["components"]
            assert inst.answer == (["是"] if dict(map(tuple, truth))[typ] == dict(map(tuple, rec.labels["components"]))[typ] else ["否"])
            answers[inst.answer[0]] += 1
        ctx.remember(rec)
    assert answers["是"] and answers["否"]  # both answers occur


def test_address_match_grades_one_candidate_in_the_data_language():
    rec = RawRecord(id="c1", source="CCKSAddress", data_type="query", lang="zh", text="世纪城1单元",
                    labels={"candidates": ["世纪城1单元402", "迎宾路1号"], "match_grades": ["partial", "none"]})
    inst = KIND_FUNCS["address_match"](rec, _ctx())
    assert inst.answer[0] in ("部分匹配", "不匹配") and set(inst.closed) == {"完全匹配", "部分匹配", "不匹配"}
    assert ("迎宾路" in inst.input) == (inst.answer == ["不匹配"])


def _utterance(text, **labels):
    return RawRecord(id="u1", source="Bitext", data_type="dialogue", lang="en", text=f"user: {text}",
                     labels={"turns": [{"role": "user", "text": text}], **labels})


def test_utterance_generation_gives_two_words_so_one_prompt_has_one_answer():
    rec = _utterance("i have a problem cancelling my order", intent="cancel_order", category="ORDER")
    inst = KIND_FUNCS["utterance_generate"](rec, _ctx())
    assert inst.input == "Intent: cancel_order\nUse the words: cancelling, problem" and inst.answer == rec.labels["turns"][0]["text"]
    assert KIND_FUNCS["dialog_category"](rec, _ctx()).answer == ["ORDER"]
    # a multi-turn dialogue (the synthetic world's) is not one utterance
    multi = dataclasses.replace(rec, labels={**rec.labels, "turns": [{"role": "user", "text": "hi"}, {"role": "agent", "text": "yes"}]})
    assert KIND_FUNCS["utterance_generate"](multi, _ctx()) is None and KIND_FUNCS["dialog_category"](multi, _ctx()) is None


def test_copywriting_kinds_read_the_attributes_and_the_copy():
    rec = RawRecord(id="ad1", source="AdvertiseGen", data_type="product", lang="zh", text="类型#裤*颜色#黑色*风格#简约",
                    spans=[Span(3, 4, "类型", "裤"), Span(8, 10, "颜色", "黑色"), Span(14, 16, "风格", "简约")],
                    labels={"attributes": {"类型": "裤", "颜色": "黑色", "风格": "简约"}, "description": "一条黑色的裤子，简约大方"})
    gen = KIND_FUNCS["description_generate"](rec, _ctx())
    assert gen.input == "属性列表：类型#裤*颜色#黑色*风格#简约" and gen.answer == "一条黑色的裤子，简约大方"
    # every value the copy repeats, none it does not ("裤" is in "裤子")
    assert KIND_FUNCS["copy_attributes"](rec, _ctx()).answer == {"类型": ["裤"], "颜色": ["黑色"], "风格": ["简约"]}
    plain = dataclasses.replace(rec, labels={**rec.labels, "description": "很好看"})
    assert KIND_FUNCS["copy_attributes"](plain, _ctx()) is None


def test_query_generation_names_a_word_outside_the_class():
    rec = RawRecord(id="q1", source="WANDS", data_type="query", lang="en", text="salon chair", labels={"category": "Massage Chairs"})
    assert KIND_FUNCS["query_generate"](rec, _ctx()).input == "Product class: Massage Chairs\nUse the word: salon"
    only_class = dataclasses.replace(rec, text="chairs")
    assert KIND_FUNCS["query_generate"](only_class, _ctx()) is None


def test_a_source_with_its_own_derivations_gets_exactly_those():
    rec = _utterance("i have a problem cancelling my order", intent="cancel_order", category="ORDER")
    spec = SourceSpec(name="Bitext", lang="en", data_type="dialogue", tasks=("dialog_intent",),
                      derivations=(("utterance_generate", "reverse"),))
    names = [t.name for t in registry_for([spec], lambda _: iter([rec]), seed=0)]
    assert names == ["EN-Bitext-CLS-dialog_intent", "EN-Bitext-Generate-utterance_generate"]  # no dialog_category
    generic = dataclasses.replace(spec, derivations=None)
    assert cot.source_derivations(generic) == cot.derivations("dialogue")
    with pytest.raises(DataError, match="strategy 'pseudo'"):
        check_source(dataclasses.replace(spec, derivations=(("utterance_generate", "pseudo"),)))
    with pytest.raises(DataError, match="'nope' is not in"):
        check_source(dataclasses.replace(spec, derivations=(("nope", "reverse"),)))


def test_the_open_build_has_all_four_data_types_and_the_paper_held_in_families(data_dir, monkeypatch):
    from ecomlib.config import load_profile
    from ecomlib.instruct.builder import build_rows
    from ecomlib import records

    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(data_dir))
    p = load_profile("smoke", ["data.world=open", "data.max_per_task=20", "data.heldout_per_task=10",
                               "data.heldin_per_task=10"])
    res = build_rows(p, records.list_sources(p), lambda name: records.iter_records(p, name))
    assert {"product", "review", "query", "dialogue"} <= {r["data_type"] for r in res.train}
    assert {r["task"] for r in res.heldin} == {"ZH-TaobaoNER-NER-ner", "ZH-YoukuNER-NER-ner",
                                              "ZH-CCKSAddress-CLS-address_match", "EN-Bitext-CLS-dialog_intent"}
    cot_rows = [r for r in res.train if r["dataset"] in ("AbtBuy", "ChineseAddress", "Bitext", "WANDS")]
    assert all(r["parent"] and (r["origin"] == "benchmark" or r["strategy"]) for r in cot_rows)
    assert not any(r["task"].endswith("item_align") for r in res.train)
