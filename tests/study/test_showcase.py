"""Display helpers for the notebooks: they reshape library output faithfully."""

import itertools

import pytest

from ecomlib import world
from ecomlib.config import load_profile
from ecomlib.instruct import task_registry
from ecomlib.instruct.builder import build_rows
from ecomlib.instruct.templates import split_prompt
from ecomlib.study import showcase as sc


@pytest.fixture(scope="module")
def profile():
    return load_profile("smoke")


@pytest.fixture(scope="module")
def built(profile):
    from ecomlib import records

    return build_rows(profile, records.list_sources(profile), lambda n: records.iter_records(profile, n))


def test_sources_and_registry_tables(profile):
    specs = world.list_sources()
    df = sc.sources_table(specs)
    assert len(df) == len(specs) and (df["role"] == "held-out").sum() == sum(s.heldout for s in specs)
    reg = task_registry(profile)
    assert len(sc.registry_table(reg)) == len(reg)
    ho = sc.heldout_table(reg)
    assert len(ho) == 12 and set(ho["level"]) == {"unseen_dataset", "unseen_task"}


def test_six_parts_and_variants(built):
    row = next(r for r in built.train if r["candidates"])
    parts = sc.six_parts(row)
    assert list(parts["part"]) == list(sc.PART_NAMES.values())
    assert parts["text"].iloc[-1] == row["output"] and row["input"] in parts["text"].iloc[2]
    v = sc.template_variants(row)
    assert len(v) == 6 and v["prompt"].nunique() >= 5
    for p in v["prompt"]:
        assert split_prompt(p)["input"] == row["input"]  # the input never changes with the variant
    no_ti = v.set_index("variant").loc["without task information", "prompt"]
    assert "task" not in split_prompt(no_ti)
    assert len(set(sc.diverse_wordings(row))) == 3


def test_stats_tables_sum_to_rows(built, profile):
    from ecomlib.instruct.dataset import make_stats

    stats = make_stats(built, profile, "x")
    for key in ("lang", "paradigm", "origin", "strategy", "data_type"):
        df = sc.stats_table(stats, key)
        assert df["train"].sum() == stats["train"]["rows"] and df["heldout"].sum() == stats["heldout"]["rows"]
    tc = sc.task_counts(stats, "origin")
    assert tc["tasks"].sum() == stats["train"]["tasks"]


def test_atomic_tasks_match_registry(profile):
    reg = {t.name: t for t in task_registry(profile)}
    for name in ("AmazonTitleNER", "EnQueryPseudo", "ZhAspectReview"):
        spec = world.get_source(name)
        recs = list(itertools.islice(world.iter_records(name, profile.world, profile.seed), 8))
        df = sc.atomic_tasks(spec, recs[-1], recs[:-1], seed=profile.seed)
        assert len(df) > 0
        for r in df.itertuples():
            t = reg[r.task]  # every derived task is a registered task with the same origin/strategy
            assert (t.origin, t.strategy or "(benchmark)") == (r.origin, r.strategy)
        if spec.pseudo:
            assert set(df["strategy"]) == {"pseudo"}


def test_pseudo_error_rate_near_configured(profile):
    from ecomlib import records

    p = load_profile("smoke", {"world": {"records_per_source": 400, "pseudo_label_error": 0.2}})
    df = sc.pseudo_error_rates(world.list_sources(), lambda n: records.iter_records(p, n))
    assert len(df) == sum(s.pseudo for s in world.list_sources())
    assert ((df["field error rate (%)"] > 12) & (df["field error rate (%)"] < 25)).all()


def test_overlap_zero_and_detects_leak(built):
    assert sc.overlap(built.train, built.heldout) == {"tasks": 0, "datasets": 0, "prompts": 0, "inputs": 0}
    leaked = built.train + built.heldout[:1]
    o = sc.overlap(leaked, built.heldout)
    assert o["prompts"] == 1 and o["inputs"] >= 1 and o["tasks"] == 1


def test_table4_frame():
    rows = [{"Model": "m", "UD_miF1": 1.0, "UD_miF1_c": 2.0, "PS_rougeL": 3.0}]
    ref, cor = sc.table4_frame(rows), sc.table4_frame(rows, corrected=True)
    assert list(ref.columns) == ["Model", *sc.TABLE4_KEYS]
    assert ref.loc[0, "UD miF1"] == 1.0 and cor.loc[0, "UD miF1"] == 2.0 and ref.loc[0, "PS Rouge"] == 3.0
