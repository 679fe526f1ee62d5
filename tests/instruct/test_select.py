"""Selection for ablations: nested subsets, exclusions, validation, purity."""

import copy

import pytest

from ecomlib.errors import ConfigError
from ecomlib.instruct import Selection, select


@pytest.fixture(scope="module")
def rows(request):
    return request.getfixturevalue("smoke_build").train


def tasks(rs):
    return {r["task"] for r in rs}


def test_default_keeps_everything_and_is_pure(rows):
    before = copy.deepcopy(rows)
    out = select(rows, Selection())
    assert out == rows and rows == before
    out[0]["task"] = "changed"
    assert rows == before


def test_nested_task_subsets(rows):
    n = len(tasks(rows))
    subsets = [tasks(select(rows, Selection(n_tasks=k, seed=3))) for k in (2, 4, 8, n)]
    assert [len(s) for s in subsets] == [2, 4, 8, n]
    assert subsets[0] <= subsets[1] <= subsets[2] <= subsets[3]
    assert tasks(select(rows, Selection(n_tasks=4, seed=4))) != subsets[1] or tasks(
        select(rows, Selection(n_tasks=4, seed=5))) != subsets[1]
    with pytest.raises(ConfigError, match="n_tasks"):
        select(rows, Selection(n_tasks=n + 1))


def test_nested_per_task(rows):
    small = select(rows, Selection(per_task=3, seed=1))
    big = select(rows, Selection(per_task=6, seed=1))
    key = lambda r: (r["task"], r["index"])
    assert {key(r) for r in small} <= {key(r) for r in big}
    counts = {}
    for r in small:
        counts[r["task"]] = counts.get(r["task"], 0) + 1
    assert max(counts.values()) == 3 and tasks(small) == tasks(rows)


def test_exclusions(rows):
    no_pseudo = select(rows, Selection(exclude_strategies=["pseudo"]))
    assert no_pseudo and all(r["strategy"] != "pseudo" for r in no_pseudo)
    assert any(r["strategy"] == "simplify" for r in no_pseudo)
    no_gold = select(rows, Selection(exclude_strategies=["simplify", "reverse", "recombine"]))
    assert {r["strategy"] for r in no_gold} == {"", "pseudo"}
    bench = select(rows, Selection(exclude_origins=["cot"]))
    assert {r["origin"] for r in bench} == {"benchmark"}
    no_cot_title = select(rows, Selection(exclude_cot_of_datasets=["TitleNER"]))
    assert {r["origin"] for r in no_cot_title if r["dataset"] == "TitleNER"} == {"benchmark"}
    assert any(r["origin"] == "cot" and r["dataset"] == "ReviewABSA" for r in no_cot_title)
    no_cls_cot = select(rows, Selection(exclude_cot_of_paradigms=["CLS"]))
    assert not [r for r in no_cls_cot if r["origin"] == "cot" and r["paradigm"] == "CLS"]
    assert any(r["origin"] == "benchmark" and r["paradigm"] == "CLS" for r in no_cls_cot)
    no_gen = select(rows, Selection(exclude_paradigms=["GEN"]))
    assert "GEN" not in {r["paradigm"] for r in no_gen} and "GEN" in {r["paradigm"] for r in rows}
    zh = select(rows, Selection(langs=["zh"]))
    assert zh and {r["lang"] for r in zh} == {"zh"}


def test_bad_selection_values():
    with pytest.raises(ConfigError, match="exclude_strategies"):
        Selection(exclude_strategies=["nope"])
    with pytest.raises(ConfigError, match="langs"):
        Selection(langs="en")
    with pytest.raises(ConfigError, match="n_tasks"):
        Selection(n_tasks=0)
