"""Check a pinned file's size and sha256 before a reader touches it.

A truncated download, a same-size edit or a file from another commit would otherwise be read as if it
were the pinned data. Hashing every file on every read costs seconds per build, so a verified file is
remembered by (path, size, mtime_ns, ctime_ns, inode) in a small JSON under the user cache
(``$ECOMLIB_CACHE_DIR``, else ``$XDG_CACHE_HOME/ecomlib``, else ``~/.cache/ecomlib``); changing the file
changes its ctime (which, unlike the mtime, ``touch -r`` cannot set back) and it is hashed again. An
unwritable cache only costs the re-hash.

A data directory of hand-written test fixtures (not the pinned files) says so with an
``UNPINNED_MARKER`` file at its root; its files are read unchecked.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ecomlib.errors import DataError
from ecomlib.io import sha256_file
from ecomlib.sources import registry
from ecomlib.sources.registry import PinnedFile

UNPINNED_MARKER = "ECOMLIB_UNPINNED_FIXTURES"
CACHE_NAME = "verified-files.json"
_seen: dict[str, tuple] = {}  # this process's verified files: path -> (size, mtime_ns, ctime_ns, inode, sha256)


def cache_file() -> Path:
    root = os.environ.get("ECOMLIB_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ecomlib"
    return Path(root) / CACHE_NAME


def pinned_digest(files=None) -> str:
    """One hash over the pinned files' paths, sizes and sha256 (what a verified read can return)."""
    files = registry.FILES if files is None else files
    blob = "\n".join(f"{f.rel_path}\t{f.bytes}\t{f.sha256}" for f in sorted(files, key=lambda f: f.rel_path))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _load_cache() -> dict:
    try:
        d = json.loads(cache_file().read_text(encoding="utf-8"))
        return d if isinstance(d, dict) else {}
    except (OSError, ValueError):
        return {}


def _remember(key: str, sig: tuple) -> None:
    _seen[key] = sig
    cache = _load_cache()
    cache[key] = list(sig)
    path = cache_file()
    try:  # atomic: a concurrent reader sees the old or the new cache, never half of one
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def is_unpinned(data_dir: Path) -> bool:
    return (Path(data_dir) / UNPINNED_MARKER).is_file()


def verify_pinned(pin: PinnedFile, path: Path) -> None:
    """DataError (one line: file, expected and got) unless ``path`` has the pinned size and sha256."""
    st = path.stat()
    fix = f"re-fetch it: ecomlib fetch-data --dest DIR --only {pin.group}"
    if st.st_size != pin.bytes:
        raise DataError(f"{path}: {st.st_size} bytes, expected {pin.bytes} with sha256 {pin.sha256} "
                        f"(pinned {pin.rel_path}@{pin.commit[:8]}); {fix}")
    key = str(path.resolve())
    sig = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, pin.sha256)
    if _seen.get(key) == sig:
        return
    cached = _load_cache().get(key)
    if cached is not None and tuple(cached) == sig:
        _seen[key] = sig
        return
    got = sha256_file(path)
    if got != pin.sha256:
        raise DataError(f"{path}: sha256 {got}, expected {pin.sha256} (pinned {pin.rel_path}@{pin.commit[:8]}); {fix}")
    _remember(key, sig)


def registered_pin(path: Path, groups: tuple[str, ...] = registry.FILE_ONLY_GROUPS) -> tuple[PinnedFile, Path] | None:
    """The pin of a file of ``groups`` that ``path`` sits at (``<data dir>/<owner>/<repo>/<path>``) and that
    data directory; None for a file laid out anywhere else."""
    posix = Path(path).absolute().as_posix()
    for pin in registry.FILES:
        if pin.group in groups and posix.endswith("/" + pin.rel_path):
            return pin, Path(posix[: -len(pin.rel_path) - 1])
    return None


def verify_if_registered(path: Path, groups: tuple[str, ...] = registry.FILE_ONLY_GROUPS) -> bool:
    """Verify an evaluation file that sits at its registered path (DataError on a mismatch, as
    ``verify_pinned``). True when it was verified (or lies in a fixture directory); False when it is at
    no registered path, so it is read unverified (a suite of your own laid out elsewhere): say so."""
    found = registered_pin(path, groups)
    if found is None:
        return False
    pin, data_dir = found
    if not is_unpinned(data_dir):
        verify_pinned(pin, Path(path))
    return True
