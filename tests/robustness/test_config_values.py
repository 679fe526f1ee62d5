"""Profiles: non-finite and absurd numbers, empty / non-UTF-8 / duplicate-key files are refused up front.

Before: ``train.pretrain_lr=.inf`` trained a NaN model, ``train.epochs=.inf`` crashed in math.ceil,
``tokenizer.vocab_size=10**13`` aborted inside the Rust BPE trainer, ``eval.max_new_tokens=10**8`` hung,
an empty file was a profile of defaults, a Latin-1 byte raised UnicodeDecodeError, a key given twice
silently kept the last value.
"""

from __future__ import annotations

import dataclasses

import pytest

from ecomlib.config import _RANGES, Profile, load_profile
from ecomlib.errors import ConfigError


@pytest.mark.parametrize(
    "override, key, needle",
    [
        ("train.pretrain_lr=.inf", "train.pretrain_lr", "expected a finite number, got inf"),
        ("train.lr=.nan", "train.lr", "expected a finite number, got nan"),
        ("train.lr=nan", "train.lr", "expected a finite number"),  # a string PyYAML leaves to us
        ("train.lr=1e400", "train.lr", "expected a finite number"),
        ("train.epochs=.inf", "train.epochs", "expected a finite number, got inf"),
        ("train.epochs=" + "9" * 400, "train.epochs", "expected a number"),  # int too large for a float
        ("world.typo_rate=.nan", "world.typo_rate", "expected a finite number"),
        ("tokenizer.vocab_size=10000000000000", "tokenizer.vocab_size", "in [300, 1000000]"),
        ("eval.max_new_tokens=100000000", "eval.max_new_tokens", "in [1, 4096]"),
        ("train.lr=5", "train.lr", "in (0, 1]"),
        ("train.general_lr=0", "train.general_lr", "in (0, 1]"),
        ("train.base_seed=-1", "train.base_seed", "in [0, 4294967295]"),
        ("train.pretrain_steps=100000000", "train.pretrain_steps", "in [0, 10000000]"),
        ("train.max_length=10000000", "train.max_length", "in [16, 131072]"),
        ("train.lora_alpha=0", "train.lora_alpha", "in [1, 65536]"),
        ("eval.num_beams=1000", "eval.num_beams", "in [1, 64]"),
        ("seed=99999999999", "seed", "in [0, 4294967295]"),
        ("study.seeds=[0, -3]", "study.seeds[1]", "in [0, 4294967295]"),
        ("model.ladder=[{name: xs, hidden_size: 1000000, n_layer: 1, n_head: 1}]", "model.ladder[0].hidden_size",
         "in [1, 65536]"),
    ],
)
def test_absurd_numbers_are_refused_with_key_value_and_range(override, key, needle):
    with pytest.raises(ConfigError) as err:
        load_profile("smoke", [override])
    msg = str(err.value)
    assert "smoke.yaml" in msg and f"key {key!r}" in msg and needle in msg, msg


def test_every_numeric_field_has_a_range():
    """A new numeric key without a bound fails here (ladder entries and study lists have their own tables)."""
    profile = Profile()
    numeric = ["seed"]
    for section in ("world", "data", "tokenizer", "train", "eval"):
        values = dataclasses.asdict(getattr(profile, section))
        numeric += [f"{section}.{k}" for k, v in values.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    assert sorted(set(numeric) - set(_RANGES)) == []


def test_shipped_profiles_are_inside_the_ranges():
    for name in ("smoke", "cpu", "gpu", "paper"):
        load_profile(name)


def _write(tmp_path, name: str, data: bytes):
    f = tmp_path / name
    f.write_bytes(data)
    return f


def test_empty_profile_is_refused(tmp_path):
    for text in (b"", b"# only a comment\n", b"\n\n"):
        f = _write(tmp_path, "empty.yaml", text)
        with pytest.raises(ConfigError, match=r"empty\.yaml: the profile is empty"):
            load_profile(f)


def test_non_utf8_profile_names_file_and_line(tmp_path):
    f = _write(tmp_path, "latin1.yaml", "name: x\n# café\n".encode("latin-1"))
    with pytest.raises(ConfigError) as err:
        load_profile(f)
    assert str(err.value).startswith(f"{f}, line 2: not UTF-8")


@pytest.mark.parametrize(
    "text, line, key",
    [
        ("name: x\ntrain:\n  lr: 0.1\n  epochs: 2\n  lr: 0.2\n", 5, "lr"),
        ("name: x\ntrain: {lr: 0.1}\ntrain: {epochs: 2}\n", 3, "train"),
        ("name: x\nmodel:\n  ladder:\n    - {name: a, hidden_size: 8, hidden_size: 16, n_layer: 1, n_head: 1}\n", 4,
         "hidden_size"),
    ],
    ids=["nested", "top-level", "flow-mapping"],
)
def test_duplicate_key_is_refused_with_its_line(tmp_path, text, line, key):
    f = _write(tmp_path, "dup.yaml", text.encode())
    with pytest.raises(ConfigError) as err:
        load_profile(f)
    assert str(err.value).startswith(f"{f}, line {line}: key {key!r} is given twice"), str(err.value)


def test_duplicate_key_in_an_override_is_refused():
    with pytest.raises(ConfigError, match="'lr' is given twice"):
        load_profile("smoke", ["train={lr: 0.1, lr: 0.2}"])


def test_unhashable_key_is_still_a_yaml_error(tmp_path):
    f = _write(tmp_path, "unhashable.yaml", b"name: x\n? [a, b]\n: 1\n")
    with pytest.raises(ConfigError, match=r"unhashable\.yaml, line 2: not valid YAML \(found unhashable key\)"):
        load_profile(f)
