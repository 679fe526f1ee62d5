"""The project's own error types.

A user error (bad profile, bad input file, wrong hash) is an ``EcomlibError``: the CLI prints its
message alone, without a traceback, and exits non-zero. Messages name the file, the line or key, and
what was expected.
"""

from __future__ import annotations


class EcomlibError(Exception):
    """Base class for every error the user can fix by changing their input."""


class ConfigError(EcomlibError):
    """A profile, override or notebook parameter is invalid."""


class DataError(EcomlibError):
    """An input data file is malformed, missing or has the wrong hash."""


def where(path: object, line: int | None = None, field: str | None = None) -> str:
    """Format a location for an error message: ``file.jsonl, line 3, field 'task'``."""
    parts = [str(path)]
    if line is not None:
        parts.append(f"line {line}")
    if field is not None:
        parts.append(f"field {field!r}")
    return ", ".join(parts)
