"""The blinded side-by-side study: sampling, blinding, append-only judgements, unblinding, intervals."""

import dataclasses
import json
from pathlib import Path

import pytest

from ecomlib.config import load_profile
from ecomlib.errors import DataError
from ecomlib.evaluation import load_suite
from ecomlib.study import side_by_side as sbs

FIX = Path(__file__).parents[1] / "fixtures" / "side_by_side"


@pytest.fixture
def preds():
    return sbs.read_predictions(FIX / "predictions_a.jsonl"), sbs.read_predictions(FIX / "predictions_b.jsonl")


@pytest.fixture
def sample(preds):
    return sbs.draw(*preds, n_per_task=3, seed=0, instances=load_suite("jsonl", FIX / "suite.jsonl"))


def test_sample_is_seeded_and_per_task(preds, sample):
    again = sbs.draw(*preds, n_per_task=3, seed=0)
    assert [i.item_id for i in again.items] == [i.item_id for i in sample.items] and again.key == sample.key
    assert len(sample.items) == 9
    assert {t: sum(i.task == t for i in sample.items) for t in {i.task for i in sample.items}} == {
        "EN-MyShop-CLS-sentiment": 3, "EN-MyShop-Extract-brand": 3, "EN-MyShop-Generate-title_generate": 3}
    other = sbs.draw(*preds, n_per_task=3, seed=1)
    assert [i.item_id for i in other.items] != [i.item_id for i in sample.items]
    assert len(sbs.draw(*preds, n_per_task=99, seed=0).items) == 12  # capped at what exists
    assert sample.items[0].prompt.endswith("### Response:") and sample.items[0].gold


def test_blinding_hides_the_model_and_randomises_order(preds, sample):
    a, b = preds
    fields = set(sbs.Item.__dataclass_fields__)
    assert not fields & {"model", "model_a", "model_b", "first"}
    for it in sample.items:
        k = (it.task, it.index)
        first = a[k] if sample.key[it.item_id] == "a" else b[k]
        assert it.output_1 == first and {it.output_1, it.output_2} == {a[k], b[k]}
    assert set(sample.key.values()) == {"a", "b"}  # both orders occur


def test_swapping_the_models_swaps_wins_and_losses(preds):
    a, b = preds
    s_ab = sbs.draw(a, b, n_per_task=4, seed=3)
    s_ba = sbs.draw(b, a, n_per_task=4, seed=3)
    # the judge prefers the output equal to the fixture's gold-like answer of model A, whatever the order
    judge = lambda s, better: {it.item_id: ("1" if it.output_1 == better[(it.task, it.index)] else "2")
                               for it in s.items if it.output_1 != it.output_2}
    out_ab = sbs.unblind(s_ab, judge(s_ab, a))
    out_ba = sbs.unblind(s_ba, judge(s_ba, a))
    assert {r["outcome"] for r in out_ab} == {"win"} and {r["outcome"] for r in out_ba} == {"loss"}


def test_append_only_survives_a_restart(tmp_path, sample):
    path = tmp_path / "judgements.jsonl"
    ids = [i.item_id for i in sample.items]
    r1 = sbs.append_judgements(path, sample, {ids[0]: "1", ids[1]: "tie"}, judge="me")
    assert sorted(r1["added"]) == sorted(ids[:2])
    before = path.read_bytes()
    # a restarted notebook appends the same cell again, plus one new and one changed judgement
    r2 = sbs.append_judgements(path, sample, {ids[0]: "1", ids[1]: "2", ids[2]: "2"})
    assert r2 == {"added": [ids[2]], "kept": [ids[0]], "conflicts": [ids[1]]}
    assert path.read_bytes().startswith(before)  # earlier lines never rewritten
    assert sbs.read_judgements(path) == {ids[0]: "1", ids[1]: "tie", ids[2]: "2"}
    assert [i.item_id for i in sbs.pending(sample, sbs.read_judgements(path))] == ids[3:]


def test_bad_judgements_write_nothing(tmp_path, sample):
    path = tmp_path / "j.jsonl"
    good = sample.items[0].item_id
    with pytest.raises(DataError, match="expected one of"):
        sbs.append_judgements(path, sample, {good: "1", sample.items[1].item_id: "left"})
    with pytest.raises(DataError, match="not an item of this sample"):
        sbs.append_judgements(path, sample, {"deadbeef": "1"})
    assert not path.exists()
    path.write_text('{"item_id": "x", "judgement": "1"}\n{"item_id": "y", "judgement": "win"}\n')
    with pytest.raises(DataError, match=r"j.jsonl, line 2, field 'judgement'"):
        sbs.read_judgements(path)
    path.write_text('{"item_id": "x", "judgement": "1"}\n{"item_id": "y", "judg')
    with pytest.raises(DataError, match="line 2"):
        sbs.append_judgements(path, sample, {good: "1"})


def test_fixture_judgements_tally(sample):
    rows = sbs.unblind(sample, sbs.read_judgements(FIX / "judgements.jsonl"))
    assert len(rows) == 7 and len(sbs.pending(sample, sbs.read_judgements(FIX / "judgements.jsonl"))) == 2
    df = sbs.tally(rows).set_index("task")
    assert df.loc["all", "n"] == 7 and df.loc["all", ["win", "tie", "loss"]].sum() == 7
    assert list(df.loc["all", ["win", "tie", "loss"]]) == [3, 2, 2]  # worked out by hand from the key
    assert (df["win lo"] <= df["win %"]).all() and (df["win %"] <= df["win hi"]).all()


def test_wilson_interval_known_values():
    lo, hi = sbs.wilson(5, 10)
    assert round(lo, 4) == 0.2366 and round(hi, 4) == 0.7634  # textbook value for 5/10
    assert sbs.wilson(0, 10)[0] == 0 and sbs.wilson(10, 10)[1] == 1
    assert sbs.wilson(0, 0) == (0.0, 1.0)


def test_prediction_errors_and_no_overlap(tmp_path):
    bad = tmp_path / "p.jsonl"
    bad.write_text('{"task": "t", "index": 0, "prediction": "x"}\n{"task": "t", "index": 0, "prediction": "y"}\n')
    with pytest.raises(DataError, match="line 2: duplicate prediction"):
        sbs.read_predictions(bad)
    bad.write_text('{"task": "t", "index": "0", "prediction": "x"}\n')
    with pytest.raises(DataError, match="line 1, field 'index'"):
        sbs.read_predictions(bad)
    with pytest.raises(DataError, match="share no"):
        sbs.draw({("t", 0): "x"}, {("u", 0): "y"}, n_per_task=1)
    with pytest.raises(DataError, match="in neither prediction file"):
        sbs.draw({("t", 0): "x"}, {("t", 0): "y"}, n_per_task=1, tasks=["v"])


def _cache_entry(work, stage, key, params):
    d = work / stage / key
    d.mkdir(parents=True)
    (d / "DONE.json").write_text(json.dumps({"stage": stage, "params": params}))
    return d


def _evaluated(work, model, key, eval_params):
    ev = _cache_entry(work, "eval", key, {"model": str(model), "eval": eval_params})
    (ev / "predictions.jsonl").write_text("")
    return ev / "predictions.jsonl"


def test_find_study_predictions_in_a_cache(tmp_path):
    """The cache of a study: EcomGPT at two sizes, plus models that must not be picked (an ablation's
    subset, another training seed, another data build), each evaluated like pipeline.evaluate does."""
    profile = load_profile("smoke")
    work = tmp_path / "work"
    assert sbs.find_study_predictions(work, profile) is None
    ev = sbs._jsonable(dataclasses.asdict(profile.eval))
    train = sbs._jsonable(dataclasses.asdict(profile.train))
    train = {k: v for k, v in train.items() if k not in ("log_every", "save_every")}  # as the real cache keys it
    data = {"seed": profile.seed, "world": dataclasses.asdict(profile.world), "data": dataclasses.asdict(profile.data)}
    # the real cache also records the build's own fingerprint beside the profile's data settings
    _cache_entry(work, "data", "d0", sbs._jsonable({**data, "build_fingerprint": "abc123"}))
    _cache_entry(work, "data", "d1", sbs._jsonable({**data, "seed": 1}))
    found = {}
    for size in ("xs", "s"):
        general = _cache_entry(work, "model-general", f"g{size}", {"size": {"name": size}})
        found[size, "B"] = _evaluated(work, general, f"0g{size}", ev)
        variants = {"a": ({"langs": ["en"]}, train, "d0"), "b": ({"seed": 0}, {**train, "seed": 1}, "d0"),
                    "c": ({"seed": 0}, train, "d1"), "e": ({"seed": 0}, train, "d0")}
        for tag, (selection, train_params, data_key) in variants.items():
            model = _cache_entry(work, "model-ecomgpt", f"{tag}{size}",
                                 {"init": f"g{size}", "selection": selection, "train": train_params, "data": data_key})
            found[size, tag] = _evaluated(work, model, f"1{tag}{size}", ev)
    a, b, size = sbs.find_study_predictions(work, profile)
    assert (a, b, size) == (found["xs", "e"], found["xs", "B"], "xs")
    (found["xs", "B"]).unlink()  # no BLOOMZ-like predictions at xs: the next size of the ladder
    assert sbs.find_study_predictions(work, profile) == (found["s", "e"], found["s", "B"], "s")
