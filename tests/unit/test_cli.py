import subprocess
import sys

from ecomlib.cli import COMMANDS


def test_help_lists_every_verb():
    out = subprocess.run([sys.executable, "-m", "ecomlib", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for verb in COMMANDS:
        assert verb in out.stdout


def test_user_error_is_one_line_without_traceback():
    out = subprocess.run(
        [sys.executable, "-m", "ecomlib", "config", "--set", "train.lr=abc"], capture_output=True, text=True
    )
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "train.lr" in out.stderr and "expected a number" in out.stderr
