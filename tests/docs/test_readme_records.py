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
