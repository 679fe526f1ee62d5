"""``ecomlib build-data``: writes every file; a bad --set is one clear error line."""

import subprocess
import sys

from ecomlib.cli import main


def test_cli_writes_all_files(world, tmp_path, capsys):
    rc = main(["build-data", "--profile", "smoke", "--out", str(tmp_path), "--no-progress",
               "--set", "data.max_per_task=5"])
    assert rc == 0
    out = tmp_path / "ecominstruct"
    for name in ("train.jsonl", "heldout.jsonl", "stats.json", "README.md", "dataset_dict.json"):
        assert (out / name).is_file(), name
    assert (out / "train").is_dir() and (out / "heldout").is_dir()
    assert "train" in capsys.readouterr().out
    card = (out / "README.md").read_text()
    assert "EN-HeldTitles-NER-ner" in card
    assert "| data type | rows |" in card and "| product |" in card  # the data card counts rows per data type


def test_cli_bad_set_is_clear(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ecomlib", "build-data", "--out", str(tmp_path),
                           "--set", "data.template=wide"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "data.template" in proc.stderr and "'diverse'" in proc.stderr
    assert not (tmp_path / "ecominstruct").exists()
