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


def test_html_character_references_are_unescaped(fixture_dir):
    # AE-110k writes "Men&#39;s" and "&amp;": the text, values and category must read as plain text.
    ae, stats = _read("AE110k", fixture_dir)
    shoes = ae[-1]
    assert shoes.text == "ACME Men's Running Shoes & Socks"
    assert shoes.labels == {"category_coarse": "Men's Shoes", "attributes": {"Brand Name": "ACME", "Gender": "Men's"}}
    assert [(s.type, s.text) for s in shoes.spans if s.type == "Gender"] == [("Gender", "Men's")]
    assert stats.repaired == Counter({"HTML character references unescaped": 3})
    assert not any("&#" in r.text or "&amp;" in r.text for r in ae)
    wdc, _ = _read("WDCPAVE", fixture_dir)
    assert any(r.text.endswith("eraser & cap.") for r in wdc)
    hl, hl_stats = _read("HuLiu", fixture_dir)
    att = next(r for r in hl if "superior" in r.text)
    assert att.text == "far superior to at & t 's coverage ." and hl_stats.repaired["HTML character references unescaped"] == 1
    het, _ = _read("hetPQA", fixture_dir)
    tall = het[-1]
    assert tall.text == "it is 7 1/2\u2032 tall." and tall.labels["answer"] == "7 1/2\u2032 tall"
    assert [s.text for s in tall.spans] == ["7 1/2\u2032 tall"]


def test_wdc_title_plus_description_and_missing_value_dropped(fixture_dir):
    recs, stats = _read("WDCPAVE", fixture_dir)
    # A value that is not in the text drops that value; the record goes only when no value is left.
    assert len(recs) == 3 and stats.dropped == Counter({"no attribute value in text": 1})
    assert stats.dropped_annotations == Counter({"attribute value not in text": 2})
    eraser = next(r for r in recs if r.text.startswith("Inkly Eraser"))
    assert eraser.labels["attributes"] == {"Brand": "Inkly", "Pack Size": "2 Pack"}  # "Pink" is not in it
    assert {s.type for s in eraser.spans} == {"Brand", "Pack Size"}
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
    recs, stats = _read("Zhijiang", fixture_dir)  # review 2's only tuple cannot be placed
    assert [r.id for r in recs] == ["Zhijiang-00001", "Zhijiang-00003", "Zhijiang-00004"]
    assert recs[0].labels["tuples"] == [
        {"aspect": None, "opinion": "很好", "category": "整体", "polarity": "positive"},
        {"aspect": "味道", "opinion": "很香", "category": "气味", "polarity": "positive"},
    ]
    assert recs[1].labels["tuples"] == []
    assert [(s.type, s.start, s.end) for s in recs[2].spans] == [("aspect", 0, 2), ("opinion", 2, 3)]
    assert stats.repaired == Counter({"opinion offsets relocated (term occurs once)": 1})
    assert stats.dropped == Counter({"no tuple could be placed": 1})
    assert stats.dropped_annotations == Counter({"tuple term offsets wrong and term absent or ambiguous": 1})


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
    assert [r.id for r in recs] == ["SemEvalLaptop-train-10", "SemEvalLaptop-train-11", "SemEvalLaptop-train-12",
                                    "SemEvalLaptop-train-13", "SemEvalLaptop-test-5:1"]
    assert [s.text for s in recs[0].spans] == ["battery life", "screen"]
    assert recs[0].labels["tuples"][1] == {"aspect": "screen", "opinion": None, "category": None, "polarity": "negative"}
    assert stats.repaired == Counter({"aspect offsets relocated (term occurs once)": 2})
    assert stats.dropped == Counter()


def test_semeval_drops_the_bad_annotation_not_the_sentence(fixture_dir):
    recs, stats = _read("SemEvalLaptop", fixture_dir)
    by_id = {r.id: r for r in recs}
    # "keyboard" occurs twice and its offsets are wrong: that term goes, the sound "keyboard light" stays.
    kb = by_id["SemEvalLaptop-train-11"]
    assert [t["aspect"] for t in kb.labels["tuples"]] == ["keyboard light"] and [s.text for s in kb.spans] == ["keyboard light"]
    # 'conflict' is outside the three polarities: the aspect term is kept, its polarity is not.
    fan = by_id["SemEvalLaptop-train-12"]
    assert fan.labels["tuples"] == [{"aspect": '"quiet" fan', "opinion": None, "category": None, "polarity": None}]
    assert stats.dropped_annotations == Counter({"aspect polarity 'conflict' (term kept)": 1,
                                                 "aspect term offsets wrong and term absent or ambiguous": 1})
    assert stats.to_dict()["dropped_annotations"] == dict(sorted(stats.dropped_annotations.items()))


def test_fewsum_tab_separated_with_quotes(fixture_dir):
    recs, _ = _read("FewSum", fixture_dir)
    assert len(recs) == 3
    r = recs[0]
    assert r.text.split("\n")[0] == 'Review number 1 says it is "nice".' and len(r.text.split("\n")) == 8
    assert r.labels == {"summary": "A nice shirt.", "product_category": "cloth"}
    assert len(r.meta["summaries"]) == 3


def test_huliu_features(fixture_dir):
    recs, stats = _read("HuLiu", fixture_dir)
    assert len(recs) == 25  # 6 readable sentences in each of 4 files, one more in Nokia6610
    canon = [r for r in recs if r.meta["product"] == "CanonG3"]
    assert [s.text for s in canon[1].spans] == ["picture", "zoom"]
    assert [t["polarity"] for t in canon[1].labels["tuples"]] == ["positive", "negative"]  # [-1} typo read
    assert canon[2].labels["tuples"][0]["aspect"] is None and canon[2].meta["implicit_features"] == ["size"]
    assert canon[3].labels["tuples"] == [] and "\r" not in canon[3].text
    assert stats.dropped == Counter({"line without '##' sentence marker": 4})


def test_huliu_keeps_sentences_with_one_bad_feature(fixture_dir):
    recs, stats = _read("HuLiu", fixture_dir)
    canon = {r.text: r for r in recs if r.meta["product"] == "CanonG3"}
    # "lens cap" is the annotator's wording, not the sentence's: an implicit aspect with its polarity.
    cap = canon["the cap falls off ."]
    assert cap.labels["tuples"] == [{"aspect": None, "category": None, "polarity": "negative"}]
    assert cap.meta["implicit_features"] == ["lens cap"] and cap.spans == []
    # "battery" has no polarity: the term is kept (aspect extraction), the polarity is None.
    bat = canon["the battery is fine ."]
    assert bat.labels["tuples"] == [{"aspect": "battery", "category": None, "polarity": None}]
    assert stats.dropped_annotations == Counter({"feature not in sentence (kept as implicit aspect)": 4,
                                                 "feature without polarity (term kept)": 4})


def test_huliu_annotates_no_opinion_words(fixture_dir):
    # Hu & Liu give features and polarity only: "opinion": None would claim an implicit opinion in every
    # tuple, and the derived opinion extraction task would answer "None" in every row.
    recs, _ = _read("HuLiu", fixture_dir)
    assert all("opinion" not in t for r in recs for t in r.labels["tuples"])


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
    assert len(h) == 7
    # every hetPQA row has an answer by construction: a constant is not an answerability label
    assert all("answerable" not in r.labels for r in h)
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


EPQA_ROWS = """qid,question,ASIN,candidate,source,qa_pair_id,title,label,answer
7,does it fit a 10 inch pan?,B0TEST,"it fits pans up to 12 inches, so yes.",review,1,Test Lid,2,Yes it fits.
7,does it fit a 10 inch pan?,B0TEST,made of glass,attribute,2,Test Lid,0,
7,does it fit a 10 inch pan?,B0TEST,fits 8 to 12 inch pans,bullet,3,Test Lid,2,Yes.
"""


def test_epqa_keeps_every_answering_candidate(fresh_fixture_dir):
    (fresh_fixture_dir / "amazon-science/contextual-product-qa/ePQA/dev.csv").write_text(EPQA_ROWS, encoding="utf-8")
    (q7,), _ = _read("ePQA", fresh_fixture_dir)
    assert q7.labels["evidence_indices"] == [0, 2] and q7.labels["evidence_index"] == 0


def test_unescape_decodes_only_complete_references():
    from ecomlib.sources.base import unescape_html

    stats = ReadStats()
    assert unescape_html("Men&#39;s R&notes AT&T 3&quot; &amp;", stats) == "Men's R&notes AT&T 3\" &"
    assert unescape_html("no references", stats) == "no references" and stats.repaired["HTML character references unescaped"] == 1
