"""Builder quality checks (quality.py): duplicate prompts, constant outputs, derivability, on both worlds."""

import dataclasses

import pytest

from ecomlib.config import load_profile
from ecomlib.errors import DataError
from ecomlib.instruct import quality
from ecomlib.instruct.builder import build_rows
from ecomlib.instruct.dataset import data_card, make_stats
from ecomlib.recordtypes import RawRecord, SourceSpec, Span
from tests.instruct.fixture_world import FixtureWorld


def row(task, prompt, output, index=0, candidates=(), strategy=""):
    return {"task": task, "index": index, "prompt": prompt, "input": prompt, "output": output,
            "candidates": list(candidates), "strategy": strategy}


def profile(world="synthetic", template="diverse"):
    p = load_profile("smoke")
    return dataclasses.replace(p, data=dataclasses.replace(p.data, world=world, template=template))


def test_duplicate_prompt_with_two_outputs_fails_naming_task_and_example():
    rows = [row("EN-A-Generate-x", "Input: red mug", "red mug"), row("EN-A-Generate-x", "Input:  Red mug", "blue mug", 1)]
    with pytest.raises(DataError, match=r"train: 1 prompt\(s\) with different outputs in task\(s\) EN-A-Generate-x; "
                                        r"e\.g\. EN-A-Generate-x #0 'Input: red mug' -> 'red mug' vs .*'blue mug'"):
        quality.check_duplicates(rows, "train")
    quality.check_duplicates(rows[:1] + [row("EN-A-Generate-x", "Input: red mug", "red mug", 1)], "train")  # same output


def test_underivable_target_is_reported_with_its_missing_words():
    rows = [row("EN-A-Generate-x", "Attributes: color: red", "Vozen red mug"),
            row("EN-A-Generate-x", "Attributes: color: blue; brand: Vozen; product: mug", "Vozen blue mug", 1),
            row("EN-A-CLS-y", "Review: nice", "positive", candidates=["positive", "negative"])]
    rep = quality.derivability(rows)
    assert rep["EN-A-Generate-x"]["share"] == 0.5 and rep["EN-A-CLS-y"]["share"] == 1.0
    assert rep["EN-A-Generate-x"]["example"] == {"index": 0, "output": "Vozen red mug", "missing": ["mug", "vozen"]}
    with pytest.raises(DataError, match=r"EN-A-Generate-x 50\.0% \(e\.g\. 'Vozen red mug' lacks \['mug', 'vozen'\]\)"):
        quality.check_derivable(rep, "train")
    pseudo = {t: {**e, "strategy": "pseudo"} for t, e in rep.items()}
    quality.check_derivable(pseudo, "train")  # pseudo-labelled tasks carry the labeller's errors: no floor


def test_content_words_skip_function_words_and_split_cjk():
    assert quality.content_words("What is the color of this tee?") == {"color", "tee"}
    assert quality.content_words("质量很好。") == {"质", "量", "很", "好"}


def test_constant_output_task_fails_in_either_world():
    rows = [row("EN-A-CLS-y", f"Q {i}", "yes", i) for i in range(quality.MIN_ROWS_CONSTANT)]
    for world in ("synthetic", "open"):
        with pytest.raises(DataError, match=r"heldout: 1 task\(s\) whose outputs are all one value: EN-A-CLS-y \(10 rows, all 'yes'\)"):
            quality.check_rows({"heldout": rows}, world)
    quality.check_constant(rows[:-1], "train")  # too few rows to tell
    quality.check_constant(rows + [row("EN-A-CLS-y", "Q x", "no", 99)], "train")


def test_open_world_reports_but_does_not_require_derivability():
    rows = [row("EN-A-Generate-x", f"Input {i}", f"paraphrase {i}", i) for i in range(3)]
    assert quality.check_rows({"train": rows}, "open")["train"]["EN-A-Generate-x"]["share"] == 0.0
    with pytest.raises(DataError, match="not derivable"):
        quality.check_rows({"train": rows}, "synthetic")


class DuplicatingWorld(FixtureWorld):
    """The fixture world, plus one product source whose title generation has two titles for one input."""

    def __init__(self):
        super().__init__(n=40, sources=[SourceSpec("Dup", "en", "product", ("title_generate",))])

    def iter_records(self, profile_or_name, name=None):
        for i in range(12):
            brand = ("Acme", "Velta")[i % 2]
            text = f"{brand} red mug"
            yield RawRecord(f"Dup-{i:06d}", "Dup", "product", "en", text, [Span(0, len(brand), "brand", brand)],
                            {"attributes": {"color": "red"}, "product_id": f"p{i}"})


def test_a_synthetic_build_with_duplicate_prompts_fails():
    w = DuplicatingWorld()
    with pytest.raises(DataError, match=r"prompt\(s\) with different outputs in task\(s\) EN-Dup-Generate-title_generate"):
        build_rows(profile("synthetic", template="narrow"), w.list_sources(), w.iter_records)  # one prompt per kind


def test_an_open_build_drops_conflicting_prompts_and_counts_them():
    # Real data (AE-110k: one attribute set, two listings' titles) may clash; neither title is learnable.
    w = DuplicatingWorld()
    result = build_rows(profile("open", template="narrow"), w.list_sources(), w.iter_records)
    task = "EN-Dup-Generate-title_generate"
    dropped = sum(d.get(task, 0) for d in result.conflicts_dropped.values())
    assert dropped >= 2 and not any(r["task"] == task for r in result.train + result.heldin)
    assert make_stats(result, profile("open"), "fp")["rows_dropped_as_conflicting_prompts"] == result.conflicts_dropped


def test_drop_conflicting_keeps_agreeing_duplicates():
    rows = [row("T", "Input: a", "x", 0), row("T", "input:  a", "y", 1), row("T", "Input: b", "z", 2),
            row("T", "Input: b", "z", 3)]
    kept, dropped = quality.drop_conflicting(rows)
    assert [r["index"] for r in kept] == [2, 3] and dropped == {"T": 2}


def test_fixture_build_reports_derivability_in_stats_and_data_card():
    w = FixtureWorld(n=40)
    p = profile()
    result = build_rows(p, w.list_sources(), w.iter_records)
    assert set(result.derivability) == {"train", "heldout", "heldin"}
    tasks = {r["task"] for r in result.train}
    assert set(result.derivability["train"]) == tasks
    stats = make_stats(result, p, "fp")
    card = data_card(stats, p)
    assert "## Derivability (train)" in card and "| task | rows | derivable | share |" in card
    some = sorted(tasks)[0]
    e = stats["derivability"]["train"][some]
    assert f"| {some} | {e['rows']} | {e['derivable']} | {e['share']:.1%} |" in card


def test_synthetic_smoke_build_meets_the_derivability_floor():
    """The real synthetic world: every non-pseudo task >= 99% derivable in every split (the build
    would raise otherwise), and no task below it even among pseudo-labelled ones but title generation."""
    from ecomlib import records

    p = load_profile("smoke")
    result = build_rows(p, records.list_sources(p), lambda n: records.iter_records(p, n))
    for split, rep in result.derivability.items():
        low = {t: e["share"] for t, e in rep.items() if e["strategy"] != "pseudo" and e["share"] < quality.MIN_DERIVABLE}
        assert not low, (split, low)
    titles = [t for t in result.derivability["train"] if t.endswith("title_generate")]
    assert titles and all(result.derivability["train"][t]["share"] == 1.0 for t in titles)


def test_run_together_chinese_text_is_not_underivable():
    r = row("ZH-A-Generate-title_generate", "属性列表：safety：无双酚A；material：ABS塑料；age：500克0至6个月", "无双酚AABS塑料, 0至6个月")
    assert quality.underivable_words(r) == set()
    assert quality.underivable_words(row("ZH-A-Generate-x", "属性列表：material：ABS塑料", "PVC塑料")) == {"pvc"}
