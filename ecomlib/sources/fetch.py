"""Download the pinned files and verify them: the one step of the open world that needs internet.

Each file comes from ``<base>/<owner>/<repo>/<commit>/<path>`` (``raw.githubusercontent.com`` by
default), streamed into a temporary sibling while hashing, and renamed into place only when its size
and sha256 match the registry, so an interrupted or corrupt download never looks complete. A file
already present with the right hash is not downloaded again.

Three limits keep a bad server from hanging the fetch: no byte for ``$ECOMLIB_FETCH_STALL_TIMEOUT``
seconds (default 30); one file taking over ``$ECOMLIB_FETCH_FILE_TIMEOUT`` seconds (default 600; the
largest pinned file is 4 MB) from connecting to its last byte, status line and headers included; and a
response longer than the pinned size, cut off one byte over it (and removed, like any failed download).
The temporary file names its process, so the next fetch removes those a killed fetch left behind, and
only those.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import http.client
import math
import os
import tempfile
import urllib.error
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ecomlib.errors import ConfigError, DataError
from ecomlib.io import _pid_alive, normal_mode, sha256_file
from ecomlib.net import Deadline, DeadlineExceeded, redact_url, timeout_of, urlopen
from ecomlib.sources.registry import FILES, PinnedFile

DEFAULT_BASE_URL = "https://raw.githubusercontent.com"
BASE_URL_ENV = "ECOMLIB_FETCH_BASE_URL"
STALL_TIMEOUT_ENV = "ECOMLIB_FETCH_STALL_TIMEOUT"
FILE_TIMEOUT_ENV = "ECOMLIB_FETCH_FILE_TIMEOUT"
DEFAULT_STALL_TIMEOUT = 30.0
DEFAULT_FILE_TIMEOUT = 600.0
CHUNK = 1 << 16


def timeout_from_env(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ConfigError(f"${name}={raw!r}: expected a positive number of seconds")
    return seconds


def base_url(override: str | None = None) -> str:
    url = (override or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    if "@" in urllib.parse.urlsplit(url).netloc:  # urllib would take 'user:key@host' for the host, and echo it
        raise ConfigError(f"mirror {redact_url(url)} (--base-url or ${BASE_URL_ENV}): credentials in the URL "
                          "are not supported")
    return url


def file_url(f: PinnedFile, base: str) -> str:
    # Paths may hold non-ASCII characters, spaces, '&' and apostrophes: quote everything but '/'.
    return f"{base.rstrip('/')}/{urllib.parse.quote(f'{f.repo}/{f.commit}/{f.path}', safe='/')}"


def is_valid(f: PinnedFile, dest: Path) -> bool:
    p = f.local(dest)
    return p.is_file() and p.stat().st_size == f.bytes and sha256_file(p) == f.sha256


def check(files: Iterable[PinnedFile], dest: Path) -> list[str]:
    """Problems with the local copies (missing, wrong size or hash); empty when all are valid."""
    problems = []
    for f in files:
        p = f.local(dest)
        if not p.is_file():
            problems.append(f"{f.rel_path}: missing")
        elif p.stat().st_size != f.bytes:
            problems.append(f"{f.rel_path}: {p.stat().st_size} bytes, expected {f.bytes}")
        elif sha256_file(p) != f.sha256:
            problems.append(f"{f.rel_path}: sha256 differs from the pinned {f.sha256}")
    return problems


def remove_stale_parts(f: PinnedFile, dest: Path) -> list[Path]:
    """Delete the temporaries of ``f`` that a killed fetch left (their process is gone); others stay."""
    target = f.local(dest)
    removed = []
    if target.parent.is_dir():
        # .<name>.<pid>.<random>.part, as download() names them; another file's or a user's never match
        for part in target.parent.glob(f".{glob.escape(target.name)}.[0-9]*.part"):
            pid = part.name[len(target.name) + 2:].split(".", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                with contextlib.suppress(FileNotFoundError):
                    part.unlink()
                removed.append(part)
    return removed


def _stream(f: PinnedFile, url: str, out, stall_timeout: float, file_timeout: float, progress) -> tuple[int, str]:
    """Copy the response into ``out``: (bytes, sha256); DataError on HTTP errors, a stall, the file deadline
    or a response longer than the pinned size (read up to one byte over it, never more)."""
    h = hashlib.sha256()
    size = 0
    # One deadline bounds the whole exchange (connect, status line, headers, body; see ecomlib.net), and
    # each single wait is at most the stall limit.
    deadline = Deadline(file_timeout, stall=stall_timeout)
    try:
        with urlopen(url, deadline) as resp:
            while chunk := resp.read1(min(CHUNK, f.bytes + 1 - size)):
                out.write(chunk)
                h.update(chunk)
                size += len(chunk)
                if progress is not None:
                    progress.update(len(chunk))
                if size > f.bytes:
                    raise DataError(f"{f.rel_path}: {url} sends more than the pinned {f.bytes} bytes "
                                    "(stopped one byte over; a changed file or a wrong mirror)")
    except urllib.error.HTTPError as exc:
        raise DataError(f"{f.rel_path}: HTTP {exc.code} {exc.reason} from {url}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        timeout = timeout_of(exc)
        if isinstance(timeout, DeadlineExceeded):
            raise DataError(f"{f.rel_path}: download from {url} took over {file_timeout:g} s "
                            f"({size} of {f.bytes} bytes; ${FILE_TIMEOUT_ENV} sets the limit)") from None
        if timeout is not None:
            raise DataError(f"{f.rel_path}: no data from {url} for {stall_timeout:g} s after {size} bytes "
                            f"(stalled; ${STALL_TIMEOUT_ENV} sets the limit)") from None
        raise DataError(f"{f.rel_path}: download from {url} failed ({exc})") from None
    return size, h.hexdigest()


def download(f: PinnedFile, dest: Path, base: str, stall_timeout: float | None = None,
             file_timeout: float | None = None, progress=None) -> Path:
    """Fetch one file into ``dest/<owner>/<repo>/<path>``; DataError (and no file left) unless it verifies."""
    stall_timeout = stall_timeout or timeout_from_env(STALL_TIMEOUT_ENV, DEFAULT_STALL_TIMEOUT)
    file_timeout = file_timeout or timeout_from_env(FILE_TIMEOUT_ENV, DEFAULT_FILE_TIMEOUT)
    target = f.local(dest)
    target.parent.mkdir(parents=True, exist_ok=True)
    url = file_url(f, base)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent)
    try:
        normal_mode(tmp)  # mkstemp's 0600 would keep the data from the machine's other users
        with os.fdopen(fd, "wb") as out:
            size, sha = _stream(f, url, out, stall_timeout, file_timeout, progress)
            out.flush()
            os.fsync(out.fileno())
        if size != f.bytes:
            raise DataError(f"{f.rel_path}: got {size} bytes from {url}, expected {f.bytes} (truncated or changed file)")
        if sha != f.sha256:
            raise DataError(f"{f.rel_path}: sha256 {sha} from {url} differs from the pinned {f.sha256}")
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
          show_progress: bool = True, stall_timeout: float | None = None,
          file_timeout: float | None = None) -> FetchResult:
    """Download every file not already present and valid; the first failure raises DataError."""
    dest = Path(dest)
    base = base_url(base)
    files = list(files)
    stall_timeout = stall_timeout or timeout_from_env(STALL_TIMEOUT_ENV, DEFAULT_STALL_TIMEOUT)
    file_timeout = file_timeout or timeout_from_env(FILE_TIMEOUT_ENV, DEFAULT_FILE_TIMEOUT)
    for f in files:
        remove_stale_parts(f, dest)
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
            download(f, dest, base, stall_timeout, file_timeout, progress=bar)
            result.downloaded.append(f.rel_path)
    finally:
        if bar is not None:
            bar.close()
    return result
