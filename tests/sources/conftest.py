"""Fixtures for the open-data tests: a data directory built from the hand-written fixture files.

The zipped online-shopping CSV is zipped here (deterministically) rather than committed as a binary.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from ecomlib.sources.verify import UNPINNED_MARKER

FIXTURES = Path(__file__).parent / "fixtures"
ZIP_PATH = "SophonPlus/ChineseNlpCorpus/datasets/online_shopping_10_cats/online_shopping_10_cats.zip"


def build_fixture_dir(dest: Path) -> Path:
    shutil.copytree(FIXTURES, dest, ignore=shutil.ignore_patterns("_zip"))
    (dest / UNPINNED_MARKER).write_text("hand-written fixtures, not the pinned files: read without hash checks\n")
    z = dest / ZIP_PATH
    z.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("online_shopping_10_cats.csv", date_time=(2018, 4, 2, 9, 41, 0))
        zf.writestr(info, (FIXTURES / "_zip" / "online_shopping_10_cats.csv").read_bytes())
    return dest


@pytest.fixture(scope="session")
def fixture_dir(tmp_path_factory) -> Path:
    """Read-only use: shared by the tests of one session."""
    return build_fixture_dir(tmp_path_factory.mktemp("open") / "data")


@pytest.fixture
def fresh_fixture_dir(tmp_path) -> Path:
    """A private copy that a test may break."""
    return build_fixture_dir(tmp_path / "data")
