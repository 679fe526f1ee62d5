import re

from ecomlib.cli import main


def test_sources_lists_registry(capsys, monkeypatch):
    monkeypatch.delenv("ECOMLIB_DATA_DIR", raising=False)
    assert main(["sources"]) == 0
    out = capsys.readouterr().out
    assert "PriceRunner" in out and "coarse_classify,item_align" in out and "af94855" in out
    assert "records" not in out


def test_sources_reads_with_data_dir(capsys, fixture_dir):
    assert main(["sources", "--data-dir", str(fixture_dir), "--only", "SemEvalLaptop"]) == 0
    out = capsys.readouterr().out
    assert "== SemEvalLaptop" in out
    assert re.search(r"^records\s+5$", out, re.M)  # 4 train + 1 test sentences; bad annotations dropped alone
    assert re.search(r"^dropped annotations\s+2$", out, re.M)
    assert "dropped annotation: aspect polarity 'conflict'" in out and "repaired: aspect offsets relocated" in out


def test_sources_env_and_errors(capsys, fixture_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(fixture_dir))
    assert main(["sources", "--only", "Eprstmt", "--limit", "2"]) == 0
    assert re.search(r"^records\s+2$", capsys.readouterr().out, re.M)
    assert main(["sources", "--only", "Nope"]) == 2
    assert main(["sources", "--data-dir", str(tmp_path / "none")]) == 2
    assert main(["sources", "--data-dir", str(tmp_path), "--only", "FewSum"]) == 2  # files missing
    assert "not found" in capsys.readouterr().err


def test_sources_lists_the_26_evaluation_files(capsys, monkeypatch, tmp_path):
    from ecomlib.sources.registry import EVAL_GROUP, files_of

    monkeypatch.delenv("ECOMLIB_DATA_DIR", raising=False)
    assert main(["sources"]) == 0
    out = capsys.readouterr().out
    assert "Evaluation suite (EcomGPTEval" in out and "13 folders, 26 files" in out
    assert "ZH-Multi_CPR-CLS-query_item_matching" in out and "state not checked" in out
    # with a data directory: each file present, absent or invalid
    bad = files_of(EVAL_GROUP)[0]
    bad.local(tmp_path).parent.mkdir(parents=True)
    bad.local(tmp_path).write_bytes(b"not the pinned file")
    assert main(["sources", "--data-dir", str(tmp_path), "--only", EVAL_GROUP]) == 0
    out = capsys.readouterr().out
    assert "0 of 26 files present under" in out and "0 of 13 folders complete" in out and "PriceRunner" not in out
    states = [line.split()[-1] for line in out.splitlines() if "eaa846f" in line]
    assert len(states) == 26 and states.count("invalid") == 1 and states.count("absent") == 25


def test_sources_shows_the_real_evaluation_files_present(capsys, data_dir):
    assert main(["sources", "--data-dir", str(data_dir), "--only", "EcomGPTEval"]) == 0
    out = capsys.readouterr().out
    assert "4 of 26 files present under" in out and "2 of 13 folders complete" in out  # the local copy's 2
    assert sum(line.endswith("absent") for line in out.splitlines()) == 22


def test_sources_shows_use_flags_and_licence_notes(capsys, monkeypatch):
    monkeypatch.delenv("ECOMLIB_DATA_DIR", raising=False)
    assert main(["sources"]) == 0
    out = capsys.readouterr().out
    bitext = next(line for line in out.splitlines() if line.startswith("Bitext "))
    assert " train " in bitext and "CDLA-Sharing-1.0 (Bitext samples; file removed upstream after this commit)" in bitext
    ditto = next(line for line in out.splitlines() if line.startswith("AbtBuy "))
    assert "no-redistribution" in ditto and "upstream DeepMatcher/WDC data state no license" in ditto
    assert "Evaluation suite (ChineseEcomQA" in out and "flags eval-only,no-redistribution" in out
    # #24: a held-out source is tested on, never trained on: the listing said "train"
    pricerunner = next(line for line in out.splitlines() if line.startswith("PriceRunner "))
    assert " test (held-out) " in pricerunner and " train " not in pricerunner


def test_sources_reads_the_new_sources_with_counts(capsys, fixture_dir):
    only = [a for n in ("WANDS", "Bitext", "ChineseEcomQA") for a in ("--only", n)]
    assert main(["sources", "--data-dir", str(fixture_dir), *only]) == 0
    out = capsys.readouterr().out
    assert "repaired: UTF-8 BOM removed" in out and "derived" in out and "utterance_generate (reverse)" in out
    assert re.search(r"^WANDS\s+train\s+2\s+1\s+1\s+0$", out, re.M)  # the records-per-source table
    assert "data/ChineseEcomQA.jsonl: absent" in out


def test_sources_counts_chinese_ecomqa_per_code(capsys, data_dir):
    assert main(["sources", "--data-dir", str(data_dir), "--only", "ChineseEcomQA"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^RLC\s+305\s+exact$", out, re.M) and re.search(r"^IC\s+286\s+set_f1$", out, re.M)
