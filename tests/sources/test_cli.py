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
