"""The README cites the commit each committed run record names (a newcomer compares them)."""

from __future__ import annotations

import re

from ecomlib.config import REPO_ROOT


def test_readme_names_the_commit_of_every_committed_run_record():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    records = sorted((REPO_ROOT / "results").glob("*/RUN*.md"))
    assert records
    for record in records:
        m = re.search(r"- commit: `([0-9a-f]{7,40})`", record.read_text(encoding="utf-8"))
        assert m, f"{record}: no commit line"
        assert f"`{m.group(1)[:7]}`" in readme, f"README does not cite {m.group(1)[:7]} of {record.relative_to(REPO_ROOT)}"


def test_the_test_command_prints_its_slowest_tests_and_the_readme_its_cost():
    """#24: nobody said how long things take. test.sh prints the 15 slowest tests last; the README states
    the measured times where the two commands are introduced."""
    script = (REPO_ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "--durations=15" in script.split("python -m pytest", 1)[1].split("rc=$?", 1)[0]
    two_commands = (REPO_ROOT / "README.md").read_text(encoding="utf-8").split("## Two commands", 1)[1].split("\n## ", 1)[0]
    for measured in ("54.8 min", "about 11 min quiet", "49.8 min", "18 min", "4 min"):
        assert measured in two_commands, measured
