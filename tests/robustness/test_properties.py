"""Property tests: arbitrary bytes/text never crash with anything but the project's own user errors.

What the example-based tests already pin down (tests/sources/test_malformed.py: one hand-made defect
per reader; tests/unit/test_config.py: a few bad profiles; tests/instruct/test_render.py: split_prompt
round-trips) is not repeated here. These tests throw random and randomly mutated input at the same
entry points and only check the contract: either it works, or it raises an ``EcomlibError`` subclass
(``DataError`` for data files, ``ConfigError`` for profiles) -- never a bare ValueError, KeyError,
IndexError, UnicodeDecodeError, yaml error, ...
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomlib.config import load_profile
from ecomlib.errors import ConfigError, DataError, EcomlibError
from ecomlib.instruct.templates import HEADERS, PROMPT_END, split_prompt
from ecomlib.io import read_jsonl
from ecomlib.sources import iter_records
from tests.sources.conftest import build_fixture_dir

SETTINGS = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _mutations(original: bytes) -> st.SearchStrategy[bytes]:
    """Random bytes, random text, and the valid file with a random splice (reaches deep parsing)."""
    text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
    splice = st.tuples(
        st.integers(0, len(original)), st.integers(0, 40), st.one_of(st.binary(max_size=40), text.map(str.encode))
    ).map(lambda t: original[: t[0]] + t[2] + original[t[0] + t[1]:])
    return st.one_of(st.binary(max_size=400), text.map(lambda s: s.encode("utf-8")), splice)


# --------------------------------------------------------------------------------------------------
# ecomlib.io.read_jsonl

@SETTINGS
@given(data=st.one_of(st.binary(max_size=300), st.lists(st.text(max_size=30)).map(lambda l: "\n".join(l).encode())))
def test_read_jsonl_only_raises_data_error(tmp_path, data):
    p = tmp_path / "x.jsonl"
    p.write_bytes(data)
    try:
        rows = list(read_jsonl(p))
    except DataError as exc:
        assert str(p) in str(exc)
    else:
        assert all(isinstance(r, dict) for r in rows)


# --------------------------------------------------------------------------------------------------
# ecomlib.instruct.templates.split_prompt

_HEADS = [h for lang in HEADERS.values() for h in lang.values()]
_prompt_text = st.lists(st.one_of(st.sampled_from(_HEADS), st.text(max_size=20), st.just("\n")), max_size=12).map("".join)


@SETTINGS
@given(body=_prompt_text, end=st.booleans())
def test_split_prompt_only_raises_ecomlib_error(body, end):
    prompt = body + PROMPT_END if end else body
    try:
        parts = split_prompt(prompt)
    except EcomlibError:
        return
    assert isinstance(parts, dict) and all(isinstance(v, str) for v in parts.values())


# --------------------------------------------------------------------------------------------------
# the open-source readers, fed through iter_records on a data dir laid out <owner>/<repo>/<path>

SOURCE_FILES = {
    "OAMine": "wbsg-uni-mannheim/ExtractGPT/data/processed_datasets/oa-mine/train.jsonl",  # JSONL
    "PriceRunner": "KelvinLam05/product_classification/pricerunner_aggregate.csv",  # CSV
    "TaobaoNER": "allanj/ner_incomplete_annotation/data/ecommerce/train.txt",  # CoNLL-like CHAR TAG
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return build_fixture_dir(tmp_path_factory.mktemp("robust-open") / "data")


@pytest.mark.parametrize("source", sorted(SOURCE_FILES))
def test_reader_on_random_file_only_raises_data_error(source, pristine, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(pristine, data_dir)
    target = data_dir / SOURCE_FILES[source]
    original = target.read_bytes()
    assert list(iter_records(source, data_dir))  # the unbroken fixture reads

    @SETTINGS
    @given(data=_mutations(original))
    def check(data):
        target.write_bytes(data)
        try:
            for _ in iter_records(source, data_dir):
                pass
        except DataError:
            pass

    check()


# --------------------------------------------------------------------------------------------------
# ecomlib.config.load_profile on random YAML text

_yaml_scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True), st.text(max_size=8))
_yaml_value = st.recursive(_yaml_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                                  st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                           max_leaves=8)
_keys = st.sampled_from(["name", "seed", "world", "data", "tokenizer", "model", "train", "eval", "study", "ladder",
                         "lr", "epochs", "default_size", "seeds", "template", "records_per_source"])


def _yaml_docs():
    import yaml

    structured = st.dictionaries(st.one_of(_keys, st.text(max_size=6)),
                                 st.one_of(_yaml_value, st.dictionaries(_keys, _yaml_value, max_size=4)), max_size=5)
    return st.one_of(
        structured.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
        _yaml_value.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
        st.text(max_size=200),
        st.binary(max_size=100).map(lambda b: b.decode("latin-1")),
    )


@SETTINGS
@given(text=_yaml_docs())
def test_load_profile_only_raises_config_error(tmp_path, text):
    p = tmp_path / "random.yaml"
    p.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        load_profile(p)
    except ConfigError as exc:
        assert str(p) in str(exc)
