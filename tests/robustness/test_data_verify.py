"""Pinned data files are checked (size, sha256) before a reader touches them; a verified file is
remembered by (path, size, mtime) so the check stays cheap."""

import dataclasses
import shutil
from pathlib import Path

import pytest

from ecomlib.errors import DataError
from ecomlib.sources import base, read_source, registry, verify
from tests.conftest import real_data_dir

FIXTURES = Path(__file__).resolve().parents[1] / "sources" / "fixtures"
SOURCE = "Eprstmt"
TRAIN = "datasets/eprstmt/train_few_all.json"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMLIB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(verify, "_seen", {})


def _pinned_copy(src_root: Path, dest: Path, monkeypatch) -> Path:
    """``dest`` holds the source's files (no fixture marker), pinned to exactly these bytes."""
    pins = {}
    for f in registry.files_of(SOURCE):
        src = f.local(src_root)
        if not src.is_file():
            continue
        out = f.local(dest)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, out)
        pins[f.path] = dataclasses.replace(f, bytes=out.stat().st_size, sha256=verify.sha256_file(out))
    monkeypatch.setattr(base, "pinned", lambda group, path: pins[path])
    return dest


def _cut_at_line(path: Path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: max(1, len(lines) // 2)]) if len(lines) > 1 else lines[0][:-1] + b"\n")


def _same_size_edit(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    i = raw.index(b'"')
    raw[i + 1:i + 2] = b"X" if raw[i + 1:i + 2] != b"X" else b"Y"
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("damage", [_cut_at_line, _same_size_edit], ids=["truncated", "same-size-edit"])
def test_a_damaged_pinned_file_is_refused_naming_it_and_the_expected_hash(tmp_path, monkeypatch, damage):
    data = _pinned_copy(FIXTURES, tmp_path / "data", monkeypatch)
    records, _ = read_source(SOURCE, data)  # intact: reads
    assert records
    target = data / "CLUEbenchmark/FewCLUE" / TRAIN
    want = base.pinned(SOURCE, TRAIN).sha256
    size = target.stat().st_size
    damage(target)
    assert (target.stat().st_size == size) == (damage is _same_size_edit)
    with pytest.raises(DataError) as err:
        read_source(SOURCE, data)
    msg = str(err.value)
    assert "\n" not in msg and str(target) in msg and want in msg


def test_verification_is_remembered_until_the_file_changes(tmp_path, monkeypatch):
    data = _pinned_copy(FIXTURES, tmp_path / "data", monkeypatch)
    hashed = []
    real = verify.sha256_file
    monkeypatch.setattr(verify, "sha256_file", lambda p: hashed.append(Path(p).name) or real(p))
    read_source(SOURCE, data)
    assert len(hashed) == 3
    monkeypatch.setattr(verify, "_seen", {})  # a new process: only the JSON cache is left
    read_source(SOURCE, data)
    assert len(hashed) == 3 and verify.cache_file().is_file()
    target = data / "CLUEbenchmark/FewCLUE" / TRAIN
    _same_size_edit(target)
    with pytest.raises(DataError, match="sha256"):
        read_source(SOURCE, data)
    assert hashed[3:] == [target.name]


def test_fixture_folders_say_they_are_unpinned(tmp_path):
    from tests.sources.conftest import build_fixture_dir

    d = build_fixture_dir(tmp_path / "data")
    assert verify.is_unpinned(d)
    assert read_source(SOURCE, d)[0]
    (d / verify.UNPINNED_MARKER).unlink()
    with pytest.raises(DataError, match="expected"):
        read_source(SOURCE, d)  # hand-written files are not the pinned ones


@pytest.mark.realdata
def test_real_truncated_copy_is_refused(tmp_path):
    real = real_data_dir()
    pin = registry.pinned(SOURCE, TRAIN)
    if not pin.local(real).is_file():
        pytest.skip(f"{pin.rel_path} not under {real}")
    data = tmp_path / "data"
    for f in registry.files_of(SOURCE):
        if f.local(real).is_file():
            f.local(data).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f.local(real), f.local(data))
    assert read_source(SOURCE, data)[0]
    _cut_at_line(pin.local(data))
    with pytest.raises(DataError, match=f"expected {pin.bytes} with sha256 {pin.sha256}"):
        read_source(SOURCE, data)
