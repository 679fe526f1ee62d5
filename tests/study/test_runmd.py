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


def test_date_load_and_cache_state_are_recorded(tmp_path):
    warm = write(tmp_path, "--started", "2026-12-01T20:00:00Z", "--load-start", "0.5 0.4 0.3",
                 "--load-end", "1.9 1.0 0.6", "--stages-before", "7", "--stages-after", "9")
    assert "- started: 2026-12-01T20:00:00Z\n" in warm
    assert "- load average (1, 5, 15 min): 0.5 0.4 0.3 at the start, 1.9 1.0 0.6 at the end\n" in warm
    assert "- stage cache: warm (7 finished stages at the start); 2 stages computed by this run\n" in warm
    cold = write(tmp_path, "--stages-before", "0", "--stages-after", "12")
    assert "- stage cache: cold (empty at the start); 12 stages computed by this run\n" in cold


def test_a_partial_run_writes_its_own_record(tmp_path):
    (tmp_path / "RUN.md").write_text("full run\n")
    (tmp_path / "t.tsv").write_text("05_ablation_prompts\t3\n")
    subprocess.run([sys.executable, "-m", "ecomlib.study.runmd", "--profile", "cpu", "--world", "synthetic",
                    "--out", str(tmp_path), "--timings", str(tmp_path / "t.tsv"), "--total", "3",
                    "--command", "./run_all.sh --only 05", "--only", "05"], check=True)
    assert (tmp_path / "RUN.md").read_text() == "full run\n"
    assert "partial: notebook 05 only" in (tmp_path / "RUN-only-05.md").read_text()
