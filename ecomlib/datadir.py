"""Where the open data lives: the one place that reads ``ECOMLIB_DATA_DIR`` (a leaf: imports only
``ecomlib.errors``). Every module that needs the data folder asks ``data_dir()``, so the variable's
meaning and its error messages are defined once.
"""

from __future__ import annotations

import os
from pathlib import Path

from ecomlib.errors import DataError

ENV = "ECOMLIB_DATA_DIR"


def data_dir(required: bool = True) -> Path | None:
    """The open-data folder named by ``ECOMLIB_DATA_DIR``; ``None`` when unset and not ``required``.

    Unset and required, or set to something that is not a folder: a ``DataError`` saying what to do."""
    d = os.environ.get(ENV)
    if not d:
        if required:
            raise DataError(
                "the open world needs ECOMLIB_DATA_DIR: point it at a folder laid out as "
                "<owner>/<repo>/<path> (see README; `ecomlib fetch-data --dest DIR` downloads it)"
            )
        return None
    p = Path(d)
    if not p.is_dir():
        raise DataError(f"ECOMLIB_DATA_DIR={d}: not a directory")
    return p
