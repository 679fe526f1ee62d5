"""Download the pinned files and verify them: the one step of the open world that needs internet.

Each file comes from ``<base>/<owner>/<repo>/<commit>/<path>`` (``raw.githubusercontent.com`` by
default), streamed into a temporary sibling while hashing, and renamed into place only when its size
and sha256 match the registry, so an interrupted or corrupt download never looks complete. A file
already present with the right hash is not downloaded again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ecomlib.errors import DataError
from ecomlib.sources.registry import FILES, PinnedFile

DEFAULT_BASE_URL = "https://raw.githubusercontent.com"
BASE_URL_ENV = "ECOMLIB_FETCH_BASE_URL"
CHUNK = 1 << 16


def base_url(override: str | None = None) -> str:
    return (override or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")


def file_url(f: PinnedFile, base: str) -> str:
    # Paths may hold non-ASCII characters, spaces, '&' and apostrophes: quote everything but '/'.
    return f"{base.rstrip('/')}/{urllib.parse.quote(f'{f.repo}/{f.commit}/{f.path}', safe='/')}"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def is_valid(f: PinnedFile, dest: Path) -> bool:
    p = f.local(dest)
    return p.is_file() and p.stat().st_size == f.bytes and sha256_of(p) == f.sha256


def check(files: Iterable[PinnedFile], dest: Path) -> list[str]:
    """Problems with the local copies (missing, wrong size or hash); empty when all are valid."""
    problems = []
    for f in files:
        p = f.local(dest)
        if not p.is_file():
            problems.append(f"{f.rel_path}: missing")
        elif p.stat().st_size != f.bytes:
            problems.append(f"{f.rel_path}: {p.stat().st_size} bytes, expected {f.bytes}")
        elif sha256_of(p) != f.sha256:
            problems.append(f"{f.rel_path}: sha256 differs from the pinned {f.sha256}")
    return problems


def download(f: PinnedFile, dest: Path, base: str, timeout: float = 60.0, progress=None) -> Path:
    """Fetch one file into ``dest/<owner>/<repo>/<path>``; DataError (and no file left) unless it verifies."""
    target = f.local(dest)
    target.parent.mkdir(parents=True, exist_ok=True)
    url = file_url(f, base)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        h = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as resp:
                    while chunk := resp.read(CHUNK):
                        out.write(chunk)
                        h.update(chunk)
                        size += len(chunk)
                        if progress is not None:
                            progress.update(len(chunk))
            except urllib.error.HTTPError as exc:
                raise DataError(f"{f.rel_path}: HTTP {exc.code} {exc.reason} from {url}") from None
            except (urllib.error.URLError, OSError) as exc:
                raise DataError(f"{f.rel_path}: download from {url} failed ({exc})") from None
            out.flush()
            os.fsync(out.fileno())
        if size != f.bytes:
            raise DataError(f"{f.rel_path}: got {size} bytes from {url}, expected {f.bytes} (truncated or changed file)")
        if h.hexdigest() != f.sha256:
            raise DataError(f"{f.rel_path}: sha256 {h.hexdigest()} from {url} differs from the pinned {f.sha256}")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


@dataclass
class FetchResult:
    downloaded: list[str]
    skipped: list[str]


def fetch(dest: Path, files: Iterable[PinnedFile] = FILES, base: str | None = None,
          show_progress: bool = True) -> FetchResult:
    """Download every file not already present and valid; the first failure raises DataError."""
    dest = Path(dest)
    base = base_url(base)
    files = list(files)
    todo = [f for f in files if not is_valid(f, dest)]
    result = FetchResult(downloaded=[], skipped=[f.rel_path for f in files if f not in todo])
    bar = None
    if show_progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=sum(f.bytes for f in todo), unit="B", unit_scale=True, desc="fetch-data")
    try:
        for f in todo:
            if bar is not None:
                bar.set_postfix_str(f.path.rsplit("/", 1)[-1])
            download(f, dest, base, progress=bar)
            result.downloaded.append(f.rel_path)
    finally:
        if bar is not None:
            bar.close()
    return result
