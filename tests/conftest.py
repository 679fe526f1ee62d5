import os
from pathlib import Path

import pytest

DATA_DIR = os.environ.get("ECOMLIB_DATA_DIR")


def real_data_dir() -> Path:
    """The real open-data directory, or skip the test with a clear reason."""
    if not DATA_DIR or not Path(DATA_DIR).is_dir():
        pytest.skip("ECOMLIB_DATA_DIR is not set to the open-data directory (see README: the open world)")
    return Path(DATA_DIR)


@pytest.fixture
def data_dir() -> Path:
    return real_data_dir()
