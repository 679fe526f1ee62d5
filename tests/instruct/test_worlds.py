"""The builder on the project's real worlds (synthetic smoke world; open data when available)."""

import pytest

from ecomlib.config import apply_overrides, load_profile
from ecomlib.instruct.builder import build_rows, normalise
from ecomlib.instruct.templates import split_prompt
from ecomlib.schema import UNSEEN_TASK_KINDS


def _rows(profile):
    from ecomlib import records

    return build_rows(profile, records.list_sources(profile), lambda name: records.iter_records(profile, name))


def _check_invariants(res):
    assert res.train and res.heldout
    assert not {r["dataset"] for r in res.train} & {t.dataset for t in res.registry if t.heldout}
    assert not {r["task"].rsplit("-", 1)[1] for r in res.train} & set(UNSEEN_TASK_KINDS)
    for key in (lambda r: normalise(r["prompt"]), lambda r: normalise(split_prompt(r["prompt"])["input"])):
        assert not {key(r) for r in res.train} & {key(r) for r in res.heldout}
    assert {r["strategy"] for r in res.train if r["origin"] == "cot"} <= {"simplify", "reverse", "recombine", "pseudo"}


def _synthetic():
    world = pytest.importorskip("ecomlib.world")
    if not hasattr(world, "list_sources"):
        pytest.skip("ecomlib.world does not provide list_sources yet")
    return load_profile("smoke", ["data.world=synthetic"])


@pytest.mark.slow
def test_synthetic_smoke_world():
    p = _synthetic()
    a = _rows(p)
    _check_invariants(a)
    assert {r["level"] for r in a.heldout} == {"unseen_dataset", "unseen_task"}
    b = _rows(p)
    assert a.train == b.train and a.heldout == b.heldout
    narrow = _rows(apply_overrides(p, ["data.template=narrow", "data.prompt_lang=zh"]))
    assert narrow.heldout == a.heldout and narrow.train != a.train


@pytest.mark.slow
@pytest.mark.realdata
def test_open_world(data_dir, monkeypatch):
    sources = pytest.importorskip("ecomlib.sources")
    if not hasattr(sources, "list_sources"):
        pytest.skip("ecomlib.sources does not provide list_sources yet")
    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(data_dir))
    p = load_profile("smoke", ["data.world=open", "data.max_per_task=20", "data.heldout_per_task=10"])
    res = _rows(p)
    assert res.train  # the open world may have no held-out source of its own
    if res.heldout:
        _check_invariants(res)


@pytest.mark.slow
def test_cli_bytes_identical_across_processes(tmp_path):
    """Python's salted str hash must not leak into the output: two processes, two hash seeds."""
    import os
    import subprocess
    import sys

    _synthetic()
    outs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        out = tmp_path / hash_seed
        subprocess.run([sys.executable, "-m", "ecomlib", "build-data", "--out", str(out), "--no-progress",
                        "--set", "world.records_per_source=15"], check=True, env=env, capture_output=True)
        outs.append(out / "ecominstruct")
    for name in ("train.jsonl", "heldout.jsonl", "stats.json", "README.md"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
