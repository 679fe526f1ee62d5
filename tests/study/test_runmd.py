"""RUN.md records the tree as it was at the start of the run, not after the run's own outputs changed it."""

import subprocess
import sys


def write(tmp_path, *extra: str) -> str:
    (tmp_path / "t.tsv").write_text("01_build\t9\n02_cot\t7\n")
    subprocess.run([sys.executable, "-m", "ecomlib.study.runmd", "--profile", "cpu", "--world", "synthetic",
                    "--out", str(tmp_path), "--timings", str(tmp_path / "t.tsv"), "--total", "16",
                    "--command", "./run_all.sh", *extra], check=True)
    return (tmp_path / "RUN.md").read_text()


def test_start_state_is_recorded(tmp_path):
    clean = write(tmp_path, "--commit", "abc123", "--dirty", "0")
    assert "- commit: `abc123`\n" in clean and "| 02_cot | 7 |" in clean and "16 s" in clean
    dirty = write(tmp_path, "--commit", "abc123", "--dirty", "1")
    assert "- commit: `abc123` (with uncommitted changes at the start)" in dirty
