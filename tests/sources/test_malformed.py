"""Malformed input is a DataError naming the source, the file and (where there is one) the line."""

import zipfile

import pytest

from ecomlib.errors import DataError
from ecomlib.sources import read_source

NER = "allanj/ner_incomplete_annotation/data/ecommerce/train.txt"
OA = "wbsg-uni-mannheim/ExtractGPT/data/processed_datasets/oa-mine/train.jsonl"
PR = "KelvinLam05/product_classification/pricerunner_aggregate.csv"
ZL = "xmxoxo/Text-Opinion-Mining/TRAIN/Train_labels.csv"
EP = "CLUEbenchmark/FewCLUE/datasets/eprstmt/dev_few_all.json"
FS = "abrazinskas/FewSum/artifacts/amazon/gold_summs/val.csv"
EQ = "amazon-science/contextual-product-qa/ePQA/dev.csv"
SE = "gaozhengjie/ABSA-Data-Set/测试集/ABSA_Gold_TestData/Laptops_Test_Gold.xml"
OS = "SophonPlus/ChineseNlpCorpus/datasets/online_shopping_10_cats/online_shopping_10_cats.zip"
WD = "wbsg-uni-mannheim/wdc-pave/data/processed_datasets/wdc_with_all_attributes/test.jsonl"


def _append(d, rel, text):
    with open(d / rel, "a", encoding="utf-8", newline="") as fh:
        fh.write(text)


def _expect(name, d, rel, line):
    with pytest.raises(DataError) as exc:
        read_source(name, d)
    msg = str(exc.value)
    assert f"source {name}" in msg and rel in msg, msg
    if line is not None:
        assert f"line {line}" in msg, msg
    return msg


def test_broken_json_line(fresh_fixture_dir):
    _append(fresh_fixture_dir, OA, '{"input": "x", "category": \n')
    assert "not valid JSON" in _expect("OAMine", fresh_fixture_dir, OA, 3)


def test_json_missing_field(fresh_fixture_dir):
    _append(fresh_fixture_dir, EP, '{"id": 9, "label": "Positive"}\n')
    assert "'sentence' is missing" in _expect("Eprstmt", fresh_fixture_dir, EP, 2)
    _append(fresh_fixture_dir, WD, '{"input_title": "t", "input_description": "", "category": "c", '
                                   '"target_scores": {}, "cluster_id": "abc"}\n')
    assert "cluster_id" in _expect("WDCPAVE", fresh_fixture_dir, WD, 2)


def test_csv_wrong_column_count(fresh_fixture_dir):
    _append(fresh_fixture_dir, PR, "4,only three,columns\n")
    assert "expected 7 columns" in _expect("PriceRunner", fresh_fixture_dir, PR, 4)


def test_tab_file_wrong_column_count(fresh_fixture_dir):
    _append(fresh_fixture_dir, FS, "cloth\tB0X\tjust a review\n")
    assert "expected 21 columns" in _expect("FewSum", fresh_fixture_dir, FS, 3)


def test_csv_bad_values(fresh_fixture_dir):
    _append(fresh_fixture_dir, ZL, "1,味道,3,5,很香,x,7,气味,正面\n")
    assert "expected an integer" in _expect("Zhijiang", fresh_fixture_dir, ZL, 6)


def test_csv_unknown_label_and_reference(fresh_fixture_dir, tmp_path):
    _append(fresh_fixture_dir, ZL, "99,_, , ,好,0,1,整体,正面\n")
    assert "review id '99'" in _expect("Zhijiang", fresh_fixture_dir, ZL, 6)
    _append(fresh_fixture_dir, EQ, "9,q?,B0,cand,review,5,T,3,\n")
    assert "expected 0, 1 or 2" in _expect("ePQA", fresh_fixture_dir, EQ, 6)


def test_wrong_header(fresh_fixture_dir):
    p = fresh_fixture_dir / EQ
    p.write_text(p.read_text(encoding="utf-8").replace("qid,", "question_id,", 1), encoding="utf-8")
    assert "expected header" in _expect("ePQA", fresh_fixture_dir, EQ, 1)


def test_bad_ner_line_and_tag(fresh_fixture_dir):
    _append(fresh_fixture_dir, NER, "红 B-HPPX extra\r\n")
    assert "expected 'CHAR TAG'" in _expect("TaobaoNER", fresh_fixture_dir, NER, 15)
    p = fresh_fixture_dir / NER
    p.write_bytes(p.read_bytes().replace(b"B-XH", b"B-ZZ", 1))
    assert "tag 'B-ZZ'" in _expect("TaobaoNER", fresh_fixture_dir, NER, 7)


def test_invalid_utf8(fresh_fixture_dir):
    with open(fresh_fixture_dir / NER, "ab") as fh:
        fh.write(b"\xff\xfe O\r\n")
    assert "invalid UTF-8" in _expect("TaobaoNER", fresh_fixture_dir, NER, 15)


def test_malformed_xml(fresh_fixture_dir):
    p = fresh_fixture_dir / SE
    p.write_text(p.read_text(encoding="utf-8").replace("</sentences>", "<sentence>"), encoding="utf-8")
    assert "malformed XML" in _expect("SemEvalLaptop", fresh_fixture_dir, SE, 10)  # unclosed at EOF


def test_bad_zip(fresh_fixture_dir):
    (fresh_fixture_dir / OS).write_bytes(b"PK\x03\x04 not really a zip")
    assert "not a valid zip" in _expect("OnlineShopping", fresh_fixture_dir, OS, None)
    with zipfile.ZipFile(fresh_fixture_dir / OS, "w") as zf:
        zf.writestr("online_shopping_10_cats.csv", "cat,label,review\n书籍,2,好\n")
    assert "expected 0 or 1" in _expect("OnlineShopping", fresh_fixture_dir, OS, 2)


def test_missing_file(fresh_fixture_dir):
    (fresh_fixture_dir / FS).unlink()
    msg = _expect("FewSum", fresh_fixture_dir, FS, None)
    assert "not found" in msg and "fetch-data" in msg
