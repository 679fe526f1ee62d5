"""bench/encode_rows.py stays runnable and checks what it claims: on hand-written rows and a tokenizer
trained here, the previous code and the cached code give the same examples (exit 0 and "identical
examples: True"); no timings are checked."""

import json
import subprocess
import sys
from pathlib import Path

from tests.training.conftest import make_rows, make_texts

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "encode_rows.py"


def test_previous_and_cached_encodings_agree(tmp_path):
    from ecomlib.training import train_tokenizer

    rows = make_rows(200)
    train_tokenizer(make_texts() + [r["prompt"] + r["output"] for r in rows], 400, 2, out_dir=tmp_path / "tok")
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    r = subprocess.run([sys.executable, str(SCRIPT), "--data", str(data), "--tokenizer", str(tmp_path / "tok"),
                        "--max-length", "48", "--repeats", "1"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "identical examples: True" in r.stdout
    assert "cached, warm (same rows)" in r.stdout and "200 rows, max_length 48" in r.stdout
