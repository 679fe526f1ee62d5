"""The readers of issue #17 on hand-written fixtures, one quirk per test: ditto's COL/VAL serialisation
and "…"@en literals, camel-case address tags, CCKS grades, HINT3 out-of-scope rows and CRLF, the Bitext
BOM and its non-HEAD pin, AdvertiseGen's GBK train file, tab-separated .csv (WANDS, semiPQA)."""

from collections import Counter

import pytest

from ecomlib.errors import DataError
from ecomlib.sources import read_source
from ecomlib.sources.matching import clean_literal, parse_offer
from ecomlib.sources.base import ReadStats


def _read(name, d):
    recs, stats = read_source(name, d)
    assert len({r.id for r in recs}) == len(recs)
    return recs, stats


def test_ditto_pairs_fields_and_empty_values(fixture_dir):
    recs, stats = _read("AbtBuy", fixture_dir)
    assert len(recs) == 3 and stats.dropped == Counter({"offer without a title": 1})
    r = recs[0]
    assert r.data_type == "product" and r.text == "acme 24' dishwasher dw100"
    assert r.labels["offer"] == {"name": "acme 24' dishwasher dw100", "description": "acme 24' built in dishwasher",
                                 "price": "399.00"}
    assert r.labels["other_title"] == "acme dw100 dishwasher" and r.labels["same_product"] is True
    assert r.labels["other_offer"]["price"] == ""  # an empty VAL is an unknown field, kept empty
    assert [x.labels["same_product"] for x in recs] == [True, False, True]
    ag, _ = _read("AmazonGoogle", fixture_dir)
    assert [x.meta["split"] for x in ag] == ["train", "valid", "test"] and ag[0].labels["offer"]["manufacturer"] == "pixelsoft"


def test_wdc_language_tagged_literals_are_unwrapped_and_counted(fixture_dir):
    recs, stats = _read("WDCProducts", fixture_dir)
    assert recs[0].text == "Orbit Trail Runner 3 - Black/Volt Orbit Mens Shoes Running"
    assert recs[0].labels["other_title"] == "Orbit Trail Runner 3 Grey Shoes | Runners Shop"
    assert recs[2].labels["other_title"] == "Kettle K1 steel"  # @en-GB too
    assert '24"' in recs[1].text  # an inch mark is not a literal quote
    assert stats.repaired == Counter({'"…"@en literal markers removed': 4})


def test_ditto_bad_lines_are_one_clear_error(fresh_fixture_dir):
    sf_path = fresh_fixture_dir / "megagonlabs/ditto/data/er_magellan/Textual/Abt-Buy/test.txt"
    sf_path.write_text("COL name VAL a\tCOL name VAL b\tmaybe\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"source AbtBuy, file .*Abt-Buy/test.txt, line 1: expected '<offer> TAB"):
        read_source("AbtBuy", fresh_fixture_dir)
    sf_path.write_text("name a\tCOL name VAL b\t0\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 1: expected 'COL attr VAL value"):
        read_source("AbtBuy", fresh_fixture_dir)


def test_parse_offer_keeps_values_with_spaces():
    assert parse_offer(None, 1, "COL title VAL a b  c COL price VAL 1.0") == {"title": "a b  c", "price": "1.0"}
    assert clean_literal("plain", ReadStats()) == "plain"


def test_address_components_and_camel_case_tags(fixture_dir):
    recs, stats = _read("ChineseAddress", fixture_dir)
    assert [r.text for r in recs] == ["浙江省杭州市文三路12号", "高新区支路", "西湖区-", "南苑"]
    assert recs[0].data_type == "query" and recs[0].labels["components"][-1] == ["roadno", "12号"]
    assert [(s.type, s.text) for s in recs[1].spans] == [("devzone", "高新区"), ("subroad", "支路")]
    assert stats.repaired == Counter({"tag type case normalised to labels.txt (devZone, subRoad, subRoadno)": 5})


def test_ccks_grades_and_unknown_labels(fixture_dir):
    recs, stats = _read("CCKSAddress", fixture_dir)
    assert recs[0].labels == {"candidates": ["文三路12号南苑小区", "文三路南苑", "延安路8号"],
                              "match_grades": ["exact", "partial", "none"]}
    assert recs[1].labels["match_grades"] == ["partial"]  # the candidate graded 可能匹配 dropped alone
    assert stats.dropped_annotations == Counter({"candidate with an unknown label or empty text": 2})
    assert stats.dropped == Counter({"query without text or graded candidates": 1})


def test_hint3_out_of_scope_rows_and_crlf(fixture_dir):
    recs, stats = _read("HINT3Curekart", fixture_dir)
    assert recs[1].text == "user: Do you ship to Pune, Mumbai?" and "\r" not in recs[1].labels["intent"]
    assert recs[3].labels == {"turns": [{"role": "user", "text": "what is the weather today"}], "intent": None,
                              "out_of_scope": True}
    assert all(r.data_type == "dialogue" and r.labels["intent"] != "NO_NODES_DETECTED" for r in recs)
    assert stats.repaired == Counter({"out-of-scope label NO_NODES_DETECTED read as out_of_scope": 1})
    sof, st = _read("HINT3Sofmattress", fixture_dir)
    assert len(sof) == 3 and st.dropped == Counter({"empty utterance or label": 1})


def test_bitext_bom_header_and_non_head_pin(fixture_dir):
    recs, stats = _read("Bitext", fixture_dir)
    assert recs[1].labels["intent"] == "get_invoice" and recs[1].labels["category"] == "INVOICE"
    assert recs[0].meta["flags"] == "BM"  # the BOM did not stick to the first column's name
    assert stats.repaired == Counter({"UTF-8 BOM removed": 1,
                                      "file read at pinned non-HEAD commit 1e2b735 (removed upstream later)": 1})


def test_advertisegen_gbk_train_file(fixture_dir):
    recs, stats = _read("AdvertiseGen", fixture_dir)
    r = recs[0]
    assert r.text == "类型#上衣*材质#棉*风格#简约*图案#刺绣*图案#线条" and r.labels["description"] == "简约的棉质上衣，刺绣点缀。"
    assert r.labels["attributes"]["图案"] == "刺绣" and ("图案", "线条") in [(s.type, s.text) for s in r.spans]
    assert stats.repaired == Counter({"GBK-encoded file decoded": 1})  # train.json only; dev.json is UTF-8
    assert stats.dropped == Counter({"content not key#value pairs, or empty copy": 1})


def test_advertisegen_neither_utf8_nor_gbk_is_an_error(fresh_fixture_dir):
    (fresh_fixture_dir / "caixiaomao/ChatGLM-6B/ptuning/AdvertiseGen/dev.json").write_bytes(b'{"content": "\xff\xff"}\n')
    with pytest.raises(DataError, match=r"AdvertiseGen/dev.json, line 1: neither UTF-8 nor GBK"):
        read_source("AdvertiseGen", fresh_fixture_dir)


def test_wands_tab_separated_csv(fixture_dir):
    recs, stats = _read("WANDS", fixture_dir)
    assert [(r.text, r.labels["category"]) for r in recs] == [("salon chair", "Massage Chairs"),
                                                               ("kids wall décor", "Kids Wall Décor")]
    assert recs[0].data_type == "query" and recs[0].id == "WANDS-0"
    assert stats.repaired == Counter({"tab-separated .csv read with a tab delimiter": 1})
    assert stats.dropped == Counter({"query without text or class": 1})


def test_semipqa_tab_separated_attribute_notation(fixture_dir):
    recs, stats = _read("semiPQA", fixture_dir)
    got = {r.labels["attributes"].popitem() for r in recs}
    assert got == {("brand", "ACME"), ("size", "24."), ("color", "navy blue"), ("dial", "black,red"), ("material", "oak")}
    assert stats.repaired == Counter({"tab-separated .csv read with a tab delimiter": 4})
    assert stats.dropped == Counter({"attribute without a value, or empty sentence": 1})  # outer: { }
