"""The builder: row schema, CoT provenance, held-out separation, variants, determinism, caps."""

import dataclasses
import json

import pytest

from ecomlib.config import apply_overrides
from ecomlib.errors import EcomlibError
from ecomlib.instruct import build, load_rows
from ecomlib.instruct.builder import Reservoir, build_rows, check_split, normalise
from ecomlib.instruct.templates import split_prompt
from ecomlib.schema import PROMPT_END, ROW_KEYS, TASK_KINDS, UNSEEN_TASK_KINDS, split_task_name
from tests.instruct.fixture_world import FixtureWorld


def test_row_schema(smoke_build):
    for split in (smoke_build.train, smoke_build.heldout):
        assert split
        counters = {}
        for r in split:
            assert tuple(r) == ROW_KEYS
            assert r["prompt"].endswith(PROMPT_END) and r["output"]
            assert isinstance(r["candidates"], list) and all(isinstance(c, str) for c in r["candidates"])
            lang, dataset, task_type, kind = split_task_name(r["task"])
            assert (r["task_type"], r["dataset"], r["lang"]) == (task_type, dataset, lang.lower())
            assert r["index"] == counters.get(r["task"], 0)
            counters[r["task"]] = r["index"] + 1


def test_outputs_match_task_type(smoke_build):
    for r in smoke_build.train + smoke_build.heldout:
        if r["task_type"] == "NER":
            lines = r["output"].split("\n")
            assert [l.split(": ", 1)[0] for l in lines] == r["candidates"]
        elif r["task_type"] == "CLS":
            assert set(r["output"].split(", ")) <= set(r["candidates"])
        elif r["task_type"] in ("Extract", "Condition_Extract") and r["output"] != "None":
            inp = split_prompt(r["prompt"])["input"]
            assert all(s in inp for s in r["output"].split(", ")), r
    ner_lines = [l for r in smoke_build.train if r["task_type"] == "NER" for l in r["output"].split("\n")]
    assert any(l.endswith(": None") for l in ner_lines)  # negatives exist and answer None


def test_cot_rows_record_strategy_and_parent(smoke_build):
    cot = [r for r in smoke_build.train if r["origin"] == "cot"]
    assert {r["strategy"] for r in cot} == {"simplify", "reverse", "recombine", "pseudo"}
    for r in smoke_build.train + smoke_build.heldout:
        assert r["parent"].startswith(r["dataset"] + "-")
        assert (r["origin"] == "benchmark") == (r["strategy"] == "")


def test_no_unseen_kind_or_heldout_dataset_in_train(smoke_build):
    held_sets = {t.dataset for t in smoke_build.registry if t.heldout}
    assert held_sets
    for r in smoke_build.train:
        assert split_task_name(r["task"])[3] not in UNSEEN_TASK_KINDS
        assert r["dataset"] not in held_sets and r["level"] == ""
    levels = {r["level"] for r in smoke_build.heldout}
    assert levels == {"unseen_dataset", "unseen_task"}
    for r in smoke_build.heldout:
        kind = split_task_name(r["task"])[3]
        assert r["level"] == ("unseen_task" if kind in UNSEEN_TASK_KINDS else "unseen_dataset")


def test_zero_train_heldout_overlap(smoke_build):
    def sets(rows):
        return ({normalise(r["prompt"]) for r in rows}, {normalise(split_prompt(r["prompt"])["input"]) for r in rows})

    tp, ti = sets(smoke_build.train)
    hp, hi = sets(smoke_build.heldout)
    assert not tp & hp and not ti & hi
    # the fixture shares titles between TitleNER and HeldTitles: the guard really removed some
    assert smoke_build.leak_skipped["TitleNER"] > 0


def test_check_split_raises_on_leaks(smoke_build):
    bad = [dict(r) for r in smoke_build.train[:3]] + [dict(smoke_build.heldout[0])]
    with pytest.raises(EcomlibError):
        check_split(smoke_build.registry, bad, smoke_build.heldout)
    leak = dict(smoke_build.train[0])
    leak["prompt"] = smoke_build.heldout[0]["prompt"]
    with pytest.raises(EcomlibError, match="held-out"):
        check_split(smoke_build.registry, [leak], smoke_build.heldout)


def test_caps_and_dedup(smoke):
    w = FixtureWorld(n=60)
    res = build_rows(apply_overrides(smoke, ["data.max_per_task=7", "data.heldout_per_task=5"]), w.list_sources(), w.iter_records)
    per = {}
    for r in res.train:
        per[r["task"]] = per.get(r["task"], 0) + 1
    assert max(per.values()) == 7 and max(sum(1 for r in res.heldout if r["task"] == t) for t in {r["task"] for r in res.heldout}) <= 5
    for rows in (res.train, res.heldout):
        keys = [(normalise(r["prompt"]), normalise(r["output"])) for r in rows]
        assert len(keys) == len(set(keys))
    # every record twice (case/space changed): the normalised duplicates never enter the sample
    def doubled(name):
        for rec in w.iter_records(name):
            yield rec
            yield dataclasses.replace(rec, id=rec.id + "b", text=rec.text.upper() + "  ", spans=[], labels=rec.labels)

    twice = build_rows(smoke, [s for s in w.list_sources() if s.data_type == "dialogue"], doubled)
    once = build_rows(smoke, [s for s in w.list_sources() if s.data_type == "dialogue"], w.iter_records)
    assert twice.seen_per_task["EN-ShopDialog-Generate-next_turn"] == once.seen_per_task["EN-ShopDialog-Generate-next_turn"] == 60


def test_heldout_prompts_identical_across_template_variants(smoke):
    w = FixtureWorld(n=30)
    base = build_rows(smoke, w.list_sources(), w.iter_records)
    for ov in (["data.template=narrow"], ["data.prompt_lang=zh"], ["data.prompt_lang=input"],
               ["data.task_info=false"], ["data.output_constraint=false"]):
        other = build_rows(apply_overrides(smoke, ov), w.list_sources(), w.iter_records)
        assert other.heldout == base.heldout, ov
        assert [r["prompt"] for r in other.train] != [r["prompt"] for r in base.train], ov
        assert [(r["task"], r["output"], r["parent"]) for r in other.train] == [
            (r["task"], r["output"], r["parent"]) for r in base.train], ov


def test_reservoir_is_uniform_enough_and_ordered():
    import random

    hits = [0] * 20
    for s in range(400):
        res = Reservoir(5, random.Random(s))
        for i in range(20):
            res.offer(i)
        sample = res.sample()
        assert sample == sorted(sample) and len(sample) == 5
        for i in sample:
            hits[i] += 1
    assert min(hits) > 60 and max(hits) < 140  # expected 100 each


def test_build_writes_everything_deterministically_and_skips(world, smoke, tmp_path):
    a = build(smoke, tmp_path / "a", progress=False)
    b = build(smoke, tmp_path / "b", progress=False)
    for name in ("train.jsonl", "heldout.jsonl", "stats.json", "README.md"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    stats = json.loads((a / "stats.json").read_text())
    assert stats["registry_version"] >= 1 and stats["profile_fingerprint"] == smoke.fingerprint("seed", "world", "data")
    for key in ("per_task", "per_lang", "per_paradigm", "per_origin", "per_strategy"):
        assert sum(stats["train"][key].values()) == stats["train"]["rows"]
    from datasets import load_from_disk

    dd = load_from_disk(str(a))
    assert dd["train"].num_rows == stats["train"]["rows"] and dd["heldout"].num_rows == stats["heldout"]["rows"]
    assert load_rows(tmp_path / "a", "train") == [dict(zip(ROW_KEYS, (r[k] for k in ROW_KEYS))) for r in dd["train"]]
    mtime = (a / "stats.json").stat().st_mtime_ns
    assert build(smoke, tmp_path / "a", progress=False) == a and (a / "stats.json").stat().st_mtime_ns == mtime
    other = build(apply_overrides(smoke, ["seed=1"]), tmp_path / "a", progress=False)
    assert (other / "stats.json").stat().st_mtime_ns != mtime
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp leftovers


def test_failed_build_leaves_nothing(world, smoke, tmp_path, monkeypatch):
    def broken(profile, name):
        for rec in world.iter_records(name):
            rec = dataclasses.replace(rec, spans=[dataclasses.replace(s, text=s.text + "x") for s in rec.spans])
            yield rec

    monkeypatch.setattr("ecomlib.records.iter_records", broken)
    with pytest.raises(EcomlibError, match="span 0 text"):
        build(smoke, tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_load_rows_rejects_bad_rows(tmp_path):
    (tmp_path / "train.jsonl").write_text('{"task": "x"}\n')
    with pytest.raises(EcomlibError, match="line 1"):
        load_rows(tmp_path, "train")


# ---------------------------------------------------------------- held-in split


HELDIN_FIXTURE = ["TitleNER:ner", "ProdQA:answer_extract", "ShopDialog:dialog_intent"]


@pytest.fixture(scope="module")
def heldin_build():
    from ecomlib.config import load_profile

    p = apply_overrides(load_profile("smoke"), {"data.heldin_tasks": HELDIN_FIXTURE, "data.heldin_per_task": 6})
    w = FixtureWorld(n=40)
    return build_rows(p, w.list_sources(), w.iter_records)


def test_heldin_rows_are_unseen_instances_of_training_tasks(heldin_build):
    from ecomlib.schema import HELD_IN

    b = heldin_build
    by_name = {t.name: t for t in b.registry}
    assert {f"{by_name[r['task']].dataset}:{by_name[r['task']].kind}" for r in b.heldin} == set(HELDIN_FIXTURE)
    assert all(n <= 6 for n in __import__("collections").Counter(r["task"] for r in b.heldin).values())
    train_tasks = {r["task"] for r in b.train}
    train_inputs = {normalise(split_prompt(r["prompt"])["input"]) for r in b.train}
    for r in b.heldin:
        assert r["task"] in train_tasks and r["level"] == HELD_IN and tuple(r) == ROW_KEYS
        assert normalise(split_prompt(r["prompt"])["input"]) not in train_inputs
    # record-level: no training row (CoT included) comes from a record reserved for held-in
    assert not {r["parent"] for r in b.heldin} & {r["parent"] for r in b.train}
    assert sum(b.heldin_reserved.values()) >= len({r["parent"] for r in b.heldin})


def test_check_heldin_refuses_a_leak(heldin_build):
    from ecomlib.instruct.builder import check_heldin

    leaked = dict(heldin_build.heldin[0])
    twin = next(r for r in heldin_build.train if r["task"] == leaked["task"])
    leaked["prompt"], leaked["input"] = twin["prompt"], twin["input"]
    with pytest.raises(EcomlibError, match="also in train"):
        check_heldin(heldin_build.registry, heldin_build.train, [leaked])


def test_synthetic_world_has_every_default_heldin_task():
    from ecomlib import records
    from ecomlib.config import load_profile
    from ecomlib.instruct.heldin import DEFAULT_HELDIN, heldin_task_names
    from ecomlib.instruct.tasks import registry_for

    p = load_profile("smoke")
    registry = registry_for(records.list_sources(p), lambda n: records.iter_records(p, n), p.seed)
    assert len(heldin_task_names(p.data, registry)) == len(DEFAULT_HELDIN["synthetic"])


def test_heldin_tasks_must_name_training_benchmark_tasks(smoke):
    from ecomlib.errors import ConfigError

    bad = apply_overrides(smoke, {"data.heldin_tasks": ["HeldTitles:ner"], "data.heldin_per_task": 6})  # held out
    w = FixtureWorld(n=40)
    with pytest.raises(ConfigError, match="HeldTitles:ner"):
        build_rows(bad, w.list_sources(), w.iter_records)


def test_no_heldin_split_when_disabled(smoke):
    p = apply_overrides(smoke, {"data.heldin_tasks": HELDIN_FIXTURE, "data.heldin_per_task": 0})
    w = FixtureWorld(n=40)
    res = build_rows(p, w.list_sources(), w.iter_records)
    assert res.heldin == [] and res.heldin_reserved == {}
