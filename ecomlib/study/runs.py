"""Hash-keyed run directories: a stage whose inputs, parameters and code are unchanged is not recomputed.

Each stage's output lives in ``<work>/<stage>/<key>/`` where ``key`` hashes the stage's parameters
(later stages include earlier stages' keys, so a change propagates downstream) and a fingerprint of
the *bytes* of the ecomlib source files the stage depends on (``deps``) plus the versions of python,
torch, transformers and tokenizers: editing a stage's code recomputes it without any version constant
to forget. A directory is complete only when its ``DONE.json`` marker exists; it records that
fingerprint and the size and sha256 of every file the stage wrote, checked in full when the directory
is reused (a tampered or truncated output is recomputed). Outputs are built in a temporary sibling and
renamed into place, under a per-key file lock, so two runs at once compute a stage once, and an
interrupted run never leaves a complete-looking half-result. A ``resumable`` stage builds in a stable
sibling that survives a crash, so a killed training resumes from its last checkpoint on the next run.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import os
import platform
import shutil
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable

from filelock import FileLock

from ecomlib.config import REPO_ROOT
from ecomlib.io import atomic_dir, atomic_write_json, sha256_file
from ecomlib.study.codedeps import FUNCTIONS_SEP, function_sources

DONE = "DONE.json"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the ecomlib package actually imported
# Every stage reads its profile through config.py and writes through io.py.
COMMON_DEPS = ("config.py", "io.py", "errors.py")
VERSIONED = ("torch", "transformers", "tokenizers")
_IGNORED_PARTS = ("__pycache__",)
_verified: dict[Path, tuple] = {}  # run dir -> stat signature of its files, once fully hashed here


def work_dir() -> Path:
    return Path(os.environ.get("ECOMLIB_WORK_DIR", REPO_ROOT / ".work" / "default"))


def results_dir(profile_name: str) -> Path:
    return Path(os.environ.get("ECOMLIB_RESULTS_DIR", REPO_ROOT / "results" / profile_name))


def key_of(params: Any) -> str:
    blob = json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _dep_files(dep: str) -> list[Path]:
    path = PACKAGE_ROOT / dep.partition(FUNCTIONS_SEP)[0]
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"cache dependency {dep!r}: no such file or folder in {PACKAGE_ROOT}")
    return sorted(p for p in path.rglob("*") if p.is_file() and not set(p.parts) & set(_IGNORED_PARTS)
                  and p.suffix != ".pyc")


def _dep_bytes(dep: str, f: Path) -> bytes:
    """A file's bytes; for ``<file>::<f1>,<f2>`` only those functions and the file's top-level statements."""
    _, sep, names = dep.partition(FUNCTIONS_SEP)
    return function_sources(f, names.split(",")) if sep else f.read_bytes()


@functools.lru_cache(maxsize=None)
def code_fingerprint(deps: tuple[str, ...]) -> str:
    """sha256 over the relative paths and bytes of every file in ``deps`` (and ``COMMON_DEPS``), hashed
    once per process; a renamed, added, removed or edited file changes it. A dep ``<file>::<f1>,<f2>``
    counts only those top-level functions of the file (``ecomlib.study.codedeps``)."""
    h = hashlib.sha256()
    for dep in sorted(set(deps) | set(COMMON_DEPS)):
        for f in _dep_files(dep):
            h.update(dep.encode("utf-8") if FUNCTIONS_SEP in dep else f.relative_to(PACKAGE_ROOT).as_posix().encode("utf-8"))
            h.update(b"\0" + hashlib.sha256(_dep_bytes(dep, f)).digest())
    return h.hexdigest()


@functools.lru_cache(maxsize=None)
def environment_versions() -> dict:
    versions = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _source_sha256(build: Callable | None) -> str | None:
    """The build function's own source (pipeline.py's stage bodies), so editing one recomputes its stage."""
    if build is None:
        return None
    try:
        src = inspect.getsource(build).encode("utf-8")
    except (OSError, TypeError):  # no source file (built dynamically): its bytecode stands in
        src = getattr(getattr(build, "__code__", None), "co_code", type(build).__qualname__.encode())
    return hashlib.sha256(src).hexdigest()


def code_of(deps: Iterable[str], build: Callable | None = None) -> dict:
    deps = tuple(sorted(set(deps)))
    return {"deps": list(deps), "sha256": code_fingerprint(deps), "build_sha256": _source_sha256(build),
            "versions": environment_versions()}


def stage_path(stage: str, params: dict, deps: Iterable[str] = (), build: Callable | None = None) -> Path:
    return work_dir() / stage / key_of({"params": params, "code": code_of(deps, build)})


def is_done(path: Path) -> bool:
    return (path / DONE).is_file()



def _output_files(root: Path) -> dict:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != DONE)
    return {p.relative_to(root).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256_file(p)} for p in files}


def _signature(path: Path, files: dict) -> tuple:
    out = []
    for rel in sorted(files):
        st = (path / rel).stat()
        out.append((rel, st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)


def damaged(path: Path) -> str | None:
    """Why the completed run dir ``path`` cannot be reused (a file missing or changed since DONE.json), or None.

    Every file is fully re-hashed the first time a process reuses the directory (a same-size edit keeps
    the size and can keep the mtime): a few MB for the smoke/cpu models; sha256 runs at ~0.5 GB/s on one
    CPU core here, so 2 s per GB of model.
    """
    try:
        files = json.loads((path / DONE).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return f"{path / DONE}: unreadable or written by an older ecomlib (no file hashes)"
    try:
        sig = _signature(path, files)
    except FileNotFoundError as exc:
        return f"{exc.filename}: missing (listed in {DONE})"
    if _verified.get(path) == sig:
        return None
    for rel, want in sorted(files.items()):
        f = path / rel
        size = f.stat().st_size
        if size != want["bytes"]:
            return f"{f}: {size} bytes, {DONE} recorded {want['bytes']}"
        got = sha256_file(f)
        if got != want["sha256"]:
            return f"{f}: sha256 {got}, {DONE} recorded {want['sha256']}"
    _verified[path] = sig
    return None


def _reusable(stage: str, path: Path, quiet: bool = False) -> bool:
    if not is_done(path):
        return False
    why = damaged(path)
    if why is None:
        return True
    if not quiet:
        print(f"stage {stage}: cached output changed, recomputing ({why})", file=sys.stderr)
    return False


def _lock(stage: str, key: str) -> FileLock:
    locks = work_dir() / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    return FileLock(str(locks / f"{stage}-{key}.lock"))


def _seal(stage: str, params: dict, code: dict, tmp: Path) -> None:
    atomic_write_json(tmp / DONE, {"stage": stage, "params": params, "code": code, "files": _output_files(tmp)})


def cached(stage: str, params: dict, build: Callable[[Path], Any], deps: Iterable[str] = (),
           resumable: bool = False) -> Path:
    """Return ``<work>/<stage>/<key>``, running ``build(tmp_dir)`` first unless a verified result is there.

    ``deps``: the ecomlib modules/subpackages (paths relative to the package) the stage's code lives in;
    the study's stages derive them from the source (``ecomlib.study.codedeps.stage_deps``).
    ``resumable``: ``build`` gets a stable folder (``.<key>.partial``) kept when it fails, so it can resume
    from what it left there; otherwise a fresh temporary folder removed on failure.
    """
    code = code_of(deps, build)
    path = work_dir() / stage / key_of({"params": params, "code": code})
    if _reusable(stage, path):
        return path
    with _lock(stage, path.name):  # a second process waits here, then reuses the first one's result
        if _reusable(stage, path, quiet=True):
            return path
        if resumable:
            partial = path.with_name(f".{path.name}.partial")
            partial.mkdir(parents=True, exist_ok=True)
            with _named_for_user(partial, path):
                build(partial)
                _seal(stage, params, code, partial)
            with atomic_dir(path) as tmp, _named_for_user(tmp, path):
                shutil.rmtree(tmp)
                os.replace(partial, tmp)
        else:
            with atomic_dir(path) as tmp, _named_for_user(tmp, path):
                build(tmp)
                _seal(stage, params, code, tmp)
    return path


@contextlib.contextmanager
def _named_for_user(tmp: Path, path: Path):
    """A file-system error (full disk, read-only folder) inside the stage's temporary folder names the
    stage folder it is built for (``<work>/<stage>/<key>/<file>``), not the temporary one."""
    try:
        yield
    except OSError as exc:
        names = [exc.filename, exc.filename2]
        renamed = [_in_place_of(n, tmp, path) for n in names]
        if renamed == names:
            raise
        raise type(exc)(exc.errno, exc.strerror, renamed[0], None, renamed[1]) from None


def _in_place_of(name, tmp: Path, path: Path):
    if name is None:
        return None
    name = os.fsdecode(name)
    try:
        return str(path / Path(name).relative_to(tmp))
    except ValueError:
        return str(path) if tmp.name in name else name
