"""Atomic file output and strict JSONL input.

Every output is written to a temporary sibling and renamed into place, so a crash never leaves a
half-written file that looks complete.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from ecomlib.errors import DataError, where


def sha256_file(path: Path | str, chunk: int = 1 << 20) -> str:
    """The sha256 hex digest of a file, read in chunks (pinned data files, cache outputs, checkpoints)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def normal_mode(path: str | os.PathLike, is_dir: bool = False) -> None:
    """mkstemp/mkdtemp create 0600/0700; outputs get the modes open()/mkdir() would give them."""
    os.chmod(path, (0o777 if is_dir else 0o666) & ~_umask())


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        normal_mode(tmp)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def dumps_json(obj: Any) -> str:
    """Canonical JSON (sorted keys, UTF-8 kept) so identical data gives identical bytes."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def atomic_write_json(path: str | os.PathLike, obj: Any) -> Path:
    """``dumps_json`` into ``path``; NaN / Infinity are refused (not JSON: every strict reader fails on them)."""
    try:
        json.dumps(obj, allow_nan=False)
    except ValueError as exc:
        raise ValueError(f"{path}: refusing to write a number that is not finite into JSON ({exc})") from None
    return atomic_write_text(path, dumps_json(obj))


def atomic_write_jsonl(path: str | os.PathLike, rows: Iterable[dict]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        normal_mode(tmp)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True))
                fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def read_jsonl(path: str | os.PathLike) -> Iterator[dict]:
    """Yield one dict per line; a broken line raises DataError naming the file and line."""
    path = Path(path)
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, expected a JSONL file") from None
    except OSError as exc:
        raise DataError(f"cannot read {describe_os_error(exc, path)}") from None
    with fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataError(f"{where(path, lineno)}: invalid UTF-8 ({exc.reason} at byte {exc.start})") from None
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where(path, lineno)}: not valid JSON ({exc.msg}, column {exc.colno})") from None
            if not isinstance(row, dict):
                raise DataError(f"{where(path, lineno)}: expected a JSON object, got {type(row).__name__}")
            yield row


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_tmp_dirs(path: Path) -> None:
    """Remove ``atomic_dir`` temporaries of ``path`` whose builder process no longer exists (killed)."""
    for old in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = old.name[len(path.name) + 2:].split(".", 1)[0]
        if old.is_dir() and pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Build a directory in a temporary sibling; rename it into place only on success.

    An existing directory at ``path`` is replaced. On error the temporary directory is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_tmp_dirs(path)
    # The builder's pid is part of the name, so a later build can tell an abandoned folder (its
    # process was killed) from one another process is still filling.
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent))
    try:
        normal_mode(tmp, is_dir=True)
        yield tmp
        _replace_dir(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# --------------------------------------------------------------------------------------------------
# Output ownership: a CLI verb writes only into a folder it created (or an empty one), so a user's
# files are never replaced or deleted by a mistyped --out.

MARKER = ".ecomlib-output.json"


def describe_os_error(exc: OSError, where_hint: str | os.PathLike | None = None) -> str:
    """One line for a file-system failure: where, why (strerror and errno name)."""
    import errno as errno_mod

    name = errno_mod.errorcode.get(exc.errno, "") if exc.errno else ""
    why = exc.strerror or str(exc) or type(exc).__name__
    place = exc.filename if exc.filename is not None else where_hint
    text = f"{place}: {why}" if place is not None else why
    return f"{text} ({name})" if name else text


def read_marker(folder: str | os.PathLike) -> dict | None:
    """The marker of an ecomlib output folder, or None (absent or unreadable: not ecomlib's)."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_marker(folder: Path, marker: dict) -> None:
    atomic_write_json(folder / MARKER, marker)


def _foreign_entries(folder: Path) -> list[str]:
    # the marker's own atomic-write temporary counts as the marker: under `accelerate launch` every
    # process claims the same folder at once
    return sorted(p.name for p in folder.iterdir()
                  if p.name != MARKER and not (p.name.startswith(f".{MARKER}.") and p.name.endswith(".tmp")))


def check_output_location(path: str | os.PathLike, flag: str = "--out") -> None:
    """Refuse an output path that is under a file, or under /proc or /sys (pseudo file systems)."""
    _check_creatable(Path(path), flag)


def _check_creatable(path: Path, flag: str, file_target: bool = False) -> None:
    """Refuse an output path that is under a file, or under /proc or /sys (pseudo file systems)."""
    resolved = path.resolve(strict=False)
    for pseudo in ("/proc", "/sys"):
        if resolved == Path(pseudo) or Path(pseudo) in resolved.parents:
            raise DataError(f"{flag} {path}: under {pseudo}, a pseudo file system; choose a real folder")
    for parent in ([] if file_target else [resolved]) + list(resolved.parents):
        if parent.exists():
            if not parent.is_dir():
                raise DataError(f"{flag} {path}: {parent} is a file, expected a folder")
            break


def refuse_symlink(path: str | os.PathLike) -> None:
    """An output sub-folder that is a symbolic link would make a verb write, and delete, outside its output
    folder (checkpoint rotation, a rebuilt ecominstruct/): refused, never followed."""
    if Path(path).is_symlink():
        raise DataError(f"{path}: is a symbolic link; ecomlib writes and deletes only in a real folder inside "
                        "its output, so remove the link (or choose another --out)")


def claim_output_dir(path: str | os.PathLike, verb: str, overwrite: bool = False, flag: str = "--out",
                     replaces: tuple[str, ...] = ()) -> bool:
    """Make ``path`` this verb's output folder; return True when it was created here.

    Allowed: a new or empty folder, or one whose marker names ``verb`` (a rerun). A non-empty folder
    ecomlib did not create needs ``overwrite``, and even then the sub-folders the verb replaces
    wholesale (``replaces``) must not be there, since they would be deleted.
    """
    path = Path(path)
    _check_creatable(path, flag)
    created = not path.exists()
    if not created:
        marker = read_marker(path)
        entries = _foreign_entries(path)
        owner = (marker or {}).get("verb")
        if entries and owner != verb:
            whose = f"written by `ecomlib {owner}`" if owner else "not created by ecomlib"
            if not overwrite:
                raise DataError(f"{flag} {path}: folder is not empty and was {whose} "
                                f"(has {', '.join(entries[:3])}{', ...' if len(entries) > 3 else ''}); "
                                "choose a new folder, or pass --overwrite to replace ecomlib's files in it")
            kept = [name for name in replaces if (path / name).exists()]
            if kept and owner is None:
                raise DataError(f"{flag} {path}: {path / kept[0]} exists and is not ecomlib's; "
                                f"`ecomlib {verb}` replaces it as a whole, so move it away first (even with --overwrite)")
    path.mkdir(parents=True, exist_ok=True)
    _write_marker(path, {**(read_marker(path) or {}), "verb": verb})
    return created


def claim_output_file(path: str | os.PathLike, verb: str, overwrite: bool = False, flag: str = "--out") -> bool:
    """Check that ``path`` may be written by ``verb``: new, or one ecomlib wrote (listed in the folder's
    marker), or ``overwrite``. Returns True when the file does not exist yet."""
    path = Path(path)
    _check_creatable(path, flag, file_target=True)
    if path.is_dir():
        raise DataError(f"{flag} {path}: is a folder, expected a file path")
    if path.exists() and not overwrite:
        listed = (read_marker(path.parent) or {}).get("files") or {}
        if listed.get(path.name) != verb:
            raise DataError(f"{flag} {path}: file exists and was not written by `ecomlib {verb}`; "
                            "choose a new path, or pass --overwrite to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    return not path.exists()


def record_output_file(path: str | os.PathLike, verb: str) -> None:
    """List ``path`` in its folder's marker as written by ``verb`` (so a rerun may replace it)."""
    path = Path(path)
    marker = read_marker(path.parent) or {}
    files = dict(marker.get("files") or {})
    files[path.name] = verb
    _write_marker(path.parent, {**marker, "files": files})


def release_output_dir(path: str | os.PathLike) -> None:
    """Undo ``claim_output_dir`` of a folder created here that the failed verb left empty."""
    path = Path(path)
    with contextlib.suppress(OSError):
        if _foreign_entries(path):
            return
        (path / MARKER).unlink(missing_ok=True)
        path.rmdir()


def atomic_write_files(folder: str | os.PathLike, files: dict[str, str | bytes]) -> Path:
    """Write several files into ``folder`` as a set: every one goes to a temporary sibling first and
    only when all are written are they renamed into place, so a full disk leaves none of them."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[str, str]] = []
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            temps.append((tmp, name))
            normal_mode(tmp)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, name in temps:
            os.replace(tmp, folder / name)
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    return folder


def jsonl_text(rows: Iterable[dict]) -> str:
    """The bytes ``atomic_write_jsonl`` writes, as one string (for ``atomic_write_files``)."""
    return "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)


def _replace_dir(tmp: Path, path: Path) -> None:
    """Rename ``tmp`` to ``path``, first moving aside whatever is there, also when another process
    creates ``path`` between our check and the rename (a bare ``os.replace`` then fails with ENOTEMPTY)."""
    for _ in range(100):
        try:
            os.replace(tmp, path)
            return
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
        # A unique aside name: two processes replacing the same path never share one.
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
        try:
            os.replace(path, old / path.name)
        except FileNotFoundError:  # the other process moved it away first
            pass
        shutil.rmtree(old, ignore_errors=True)
    raise OSError(errno.ENOTEMPTY, f"{path}: kept being recreated while replacing it")
