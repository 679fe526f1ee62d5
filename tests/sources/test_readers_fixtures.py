"""Every reader on hand-written fixtures that reproduce the real files' quirks."""

from collections import Counter

import pytest

from ecomlib.sources import REGISTRY, ReadStats, iter_records, read_source


def _read(name, d):
    recs, stats = read_source(name, d)
    for r in recs:
        r.validate()
        assert r.source == name
    assert len({r.id for r in recs}) == len(recs)
    return recs, stats


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_source_reads_deterministically(name, fixture_dir):
    a, sa = _read(name, fixture_dir)
    b, sb = _read(name, fixture_dir)
    assert a and [r.to_json() for r in a] == [r.to_json() for r in b]
    assert sa.to_dict() == sb.to_dict() and sa.records == len(a)
    assert sorted(sa.files) == sorted(f.rel_path for f in REGISTRY[name].files
                                      if f.data_type not in ("license", "doc"))


def test_ner_crlf_bio_and_orphan_inside_tag(fixture_dir):
    recs, stats = _read("TaobaoNER", fixture_dir)
    assert len(recs) == 4  # 2 train + 1 dev + 1 test sentences
    r = recs[0]
    assert r.text == "红米新款手机X9" and "\r" not in r.text
    assert [(s.type, s.text) for s in r.spans] == [("brand", "红米"), ("product", "手机"), ("model", "X9")]
    assert [(s.type, s.text) for s in recs[1].spans] == [("product", "布袜")]  # I- without B- starts an entity
    assert stats.repaired == Counter({"I- tag without B- read as entity start": 1})
    assert recs[2].meta["split"] == "dev"
    y, _ = _read("YoukuNER", fixture_dir)
    assert len(y) == 4 and [(s.type, s.text) for s in y[0].spans] == [("television", "大侠"), ("person", "老王")]


def test_attribute_sources(fixture_dir):
    recs, _ = _read("OAMine", fixture_dir)
    assert len(recs) == 3
    r = recs[0]
    assert r.labels["attributes"] == {"Brand": "Acme Runner", "Color": "Blue", "Gender": "Men's", "Size": "10 M US"}
    assert r.labels["category_coarse"] == "Shoes" and r.meta["absent_attributes"] == ["Material"]
    mug = recs[1]
    assert sorted(s.text for s in mug.spans if s.type == "Color") == ["Red", "White"]  # both values are spans
    assert mug.labels["attributes"]["Color"] == "White"
    ae, _ = _read("AE110k", fixture_dir)
    assert ae[0].labels["attributes"] == {"Brand Name": "FOOBAR", "Material": "Metal"}


def test_wdc_title_plus_description_and_missing_value_dropped(fixture_dir):
    recs, stats = _read("WDCPAVE", fixture_dir)
    assert len(recs) == 2 and stats.dropped == Counter({"attribute value not in text": 1})
    r = recs[0]
    assert r.text == "Inkly Gel Pen Blue 12 Pack\nSmooth gel pen, blue ink, 0.7mm tip."
    color = next(s for s in r.spans if s.type == "Color")
    assert color.start > len("Inkly Gel Pen Blue 12 Pack")  # pid 1: found in the description
    assert r.labels["product_id"] == "77"


def test_pricerunner_headerless_with_clusters(fixture_dir):
    recs, _ = _read("PriceRunner", fixture_dir)
    assert [r.text for r in recs][1] == "acme phone 10, 64 gb, schwarz"
    assert recs[0].labels == {"product_id": "5", "category_coarse": "Mobile Phones"}
    assert recs[0].labels["product_id"] == recs[1].labels["product_id"] != recs[2].labels["product_id"]


def test_zhijiang_offsets_repaired_or_dropped(fixture_dir):
    recs, stats = _read("Zhijiang", fixture_dir)
    assert [r.id for r in recs] == ["Zhijiang-00001", "Zhijiang-00003", "Zhijiang-00004"]
    assert recs[0].labels["tuples"] == [
        {"aspect": None, "opinion": "很好", "category": "整体", "polarity": "positive"},
        {"aspect": "味道", "opinion": "很香", "category": "气味", "polarity": "positive"},
    ]
    assert recs[1].labels["tuples"] == []
    assert [(s.type, s.start, s.end) for s in recs[2].spans] == [("aspect", 0, 2), ("opinion", 2, 3)]
    assert stats.repaired == Counter({"opinion offsets relocated (term occurs once)": 1})
    assert stats.dropped == Counter({"term offsets wrong and term absent or ambiguous": 1})


def test_sentiment_sources_bom_zip_and_empty(fixture_dir):
    e, _ = _read("Eprstmt", fixture_dir)
    assert [r.labels["sentiment"] for r in e] == ["positive", "negative", "negative", "positive"]
    o, stats = _read("OnlineShopping", fixture_dir)
    assert o[0].text == "这本书写得很好"  # BOM removed
    assert [r.labels["product_category"] for r in o] == ["书籍", "水果", "平板"]
    assert o[2].text == "屏幕,有坏点" and o[2].labels["sentiment"] == "negative"
    assert stats.dropped == Counter({"empty review": 1})


def test_semeval_non_ascii_path_offsets_and_conflict(fixture_dir):
    recs, stats = _read("SemEvalLaptop", fixture_dir)
    assert [r.id for r in recs] == ["SemEvalLaptop-train-10", "SemEvalLaptop-train-13", "SemEvalLaptop-test-5:1"]
    assert [s.text for s in recs[0].spans] == ["battery life", "screen"]
    assert recs[0].labels["tuples"][1] == {"aspect": "screen", "opinion": None, "category": None, "polarity": "negative"}
    assert stats.repaired == Counter({"aspect offsets relocated (term occurs once)": 2})
    assert stats.dropped == Counter({"aspect polarity 'conflict'": 1,
                                     "term offsets wrong and term absent or ambiguous": 1})


def test_fewsum_tab_separated_with_quotes(fixture_dir):
    recs, _ = _read("FewSum", fixture_dir)
    assert len(recs) == 3
    r = recs[0]
    assert r.text.split("\n")[0] == 'Review number 1 says it is "nice".' and len(r.text.split("\n")) == 8
    assert r.labels == {"summary": "A nice shirt.", "product_category": "cloth"}
    assert len(r.meta["summaries"]) == 3


def test_huliu_features(fixture_dir):
    recs, stats = _read("HuLiu", fixture_dir)
    assert len(recs) == 16  # 4 readable sentences in each of 4 files
    canon = [r for r in recs if r.meta["product"] == "CanonG3"]
    assert [s.text for s in canon[1].spans] == ["picture", "zoom"]
    assert [t["polarity"] for t in canon[1].labels["tuples"]] == ["positive", "negative"]  # [-1} typo read
    assert canon[2].labels["tuples"][0]["aspect"] is None and canon[2].meta["implicit_features"] == ["size"]
    assert canon[3].labels["tuples"] == [] and "\r" not in canon[3].text
    assert stats.dropped == Counter({"feature not in sentence": 4, "feature without polarity": 4,
                                     "line without '##' sentence marker": 4})


def test_qa_sources(fixture_dir):
    recs, _ = _read("ePQA", fixture_dir)
    q7, q8 = recs
    assert q7.labels["answerable"] and q7.labels["evidence_index"] == 0
    assert q7.labels["answer"] == "Yes it fits a 10 inch pan."
    assert q7.labels["evidence"] == ["it fits pans up to 12 inches, so yes.", "made of glass"]
    assert q8.labels["question"] == 'is it "dishwasher safe"?'
    assert not q8.labels["answerable"] and q8.labels["answer"] is None and q8.labels["evidence_index"] is None
    assert q8.meta["grades"] == [1, 0]
    h, _ = _read("hetPQA", fixture_dir)
    assert len(h) == 6
    assert h[0].text == 'the cord is 6" long.' and h[0].labels["answer"] == 'the cord is 6" long.'
    assert [(s.type, s.start, s.end) for s in h[0].spans] == [("answer", 0, len(h[0].text))]
    assert h[1].spans == []  # a free-text answer is not a span


def test_limit_streams_and_stats_accumulate(fixture_dir):
    stats = ReadStats()
    got = list(iter_records("TaobaoNER", fixture_dir, stats, limit=2))
    assert len(got) == 2 and stats.records == 2
    assert stats.files == ["allanj/ner_incomplete_annotation/data/ecommerce/train.txt"]  # later files not opened
    assert list(iter_records("TaobaoNER", fixture_dir, limit=0)) == []


def test_hetpqa_is_answer_generation_and_written_answers_are_not_extracted(fixture_dir):
    import random

    from ecomlib.instruct.kinds import KIND_FUNCS, Context
    from ecomlib.sources import get_source

    assert get_source("hetPQA").tasks == ("answer_generate",)
    h, _ = _read("hetPQA", fixture_dir)
    ctx = Context(random.Random(0))
    gen = KIND_FUNCS["answer_generate"](h[1], ctx)
    assert gen.answer == h[1].labels["answer"] and h[1].labels["question"] in gen.input
    # answer extraction only where the answer is a span of the context (h[0]), not for written answers (h[1])
    assert KIND_FUNCS["answer_extract"](h[0], ctx).answer == [h[0].labels["answer"]]
    assert KIND_FUNCS["answer_extract"](h[1], ctx) is None
