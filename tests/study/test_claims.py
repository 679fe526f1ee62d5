import math

import numpy as np
import pytest

from ecomlib.errors import DataError
from ecomlib.study.claims import (
    FINDINGS_COLUMNS, TRIVIAL_ARM, Claim, ClaimArms, TaskFilter, Term, best_trivial_arm, evaluate_claims, paper_claims,
)
from ecomlib.study.tables import paper_table, paper_tables

TASKS = {  # task -> (level, paradigm, lang)
    "EN-A-CLS-x": ("unseen_dataset", "CLS", "en"),
    "ZH-B-Extract-y": ("unseen_dataset", "EXT", "zh"),
    "EN-C-NER-z": ("unseen_dataset", "OTHER", "en"),
    "ZH-D-CLS-w": ("unseen_task", "CLS", "zh"),
}
N = 100


def scores(offset=0.0, noise=0, seed=0, by_task=None):
    """One per-instance score dict; values ~ base + offset (+ per-task offsets)."""
    g = np.random.default_rng(seed)
    out = {}
    for k, (task, (level, par, lang)) in enumerate(TASKS.items()):
        base = np.linspace(0, 100, N) if not noise else g.random(N) * noise
        v = base + offset + (by_task or {}).get(task, 0.0)
        out[task] = {"rougeL_ws": v, "rougeL_char": v / 2, "index": np.arange(N), "level": level,
                     "task_type": task.split("-")[2], "paradigm": par, "lang": lang}
    return out


def claim(paper_delta=1.0, a="A", b="B", min_seeds=3, cid="c"):
    return Claim(cid, f"{a} beats {b}", paper_delta, (Term(1.0, a), Term(-1.0, b)), min_seeds=min_seeds)


def seeds(offset, n=3, noise=0):
    return [scores(offset + 0.1 * s, noise=noise, seed=s) for s in range(n)]


def verdict(c, arms, **kw):
    return evaluate_claims([c], arms, **kw).iloc[0]


def test_each_verdict():
    assert verdict(claim(), {"A": seeds(5), "B": seeds(0)}).verdict == "reproduced"
    assert verdict(claim(), {"A": seeds(0), "B": seeds(5)}).verdict == "reversed"
    noisy = {"A": seeds(0, noise=100), "B": [scores(0, noise=100, seed=10 + s) for s in range(3)]}
    row = verdict(claim(), noisy)
    assert row.verdict == "not significant" and row.ci_low < 0 < row.ci_high


def test_negative_paper_delta_flips_the_side():
    arms = {"A": seeds(0), "B": seeds(5)}
    row = verdict(claim(paper_delta=-2.0), arms)
    assert row.verdict == "reproduced" and row.ci_high < 0 and row.paper_delta == -2.0
    assert verdict(claim(paper_delta=-2.0), {"A": seeds(5), "B": seeds(0)}).verdict == "reversed"
    # no paper number (a figure, or our own target claim): oriented as written
    assert verdict(claim(paper_delta=float("nan")), {"A": seeds(5), "B": seeds(0)}).verdict == "reproduced"


def test_delta_is_the_seed_and_task_average():
    row = verdict(claim(), {"A": seeds(5), "B": seeds(0)})
    assert row.delta == 5.0  # +0.1 per seed on both sides cancels; ws on UD tasks only
    assert row.seeds == "3/3"
    same = verdict(claim(), {"A": [scores(0)] * 3, "B": [scores(0)]})  # float noise only, shown as 0.0
    assert [str(same[k]) for k in ("delta", "ci_low", "ci_high")] == ["0.0", "0.0", "0.0"]


def test_a_missing_arm_is_an_error_naming_the_claim_and_the_arm():
    """It used to be a quiet "not applicable": rename a label and a claim silently stopped being checked."""
    with pytest.raises(DataError, match=r"claim 'c': no scores for arm 'B'"):
        verdict(claim(), {"A": seeds(5)})
    with pytest.raises(DataError, match="arm 'B'"):
        verdict(claim(), {"A": seeds(5), "B": []})


def test_not_applicable_when_marked_or_no_test_task():
    row = verdict(claim(), {"A": seeds(5), "B": seeds(0)}, inapplicable={"c": "both arms train on identical rows"})
    assert row.verdict == "not applicable" and "identical rows" in row.note
    gen = Claim("g", "GEN", 1.0, (Term(1.0, "A", TaskFilter(paradigm="GEN")), Term(-1.0, "B", TaskFilter(paradigm="GEN"))))
    assert verdict(gen, {"A": seeds(5), "B": seeds(0)}).verdict == "not applicable"
    with pytest.raises(DataError, match="no claim with id"):
        evaluate_claims([claim()], {}, inapplicable={"nope": "x"})


def test_too_few_seeds_unless_deterministic():
    row = verdict(claim(), {"A": seeds(5, n=2), "B": seeds(0)})
    assert row.verdict == "too few seeds" and row.seeds == "2/3" and row.delta == pytest.approx(5.0, abs=0.06)
    trivial = Claim("t", "A beats trivial", float("nan"), (Term(1.0, "A"), Term(-1.0, TRIVIAL_ARM)))
    row = verdict(trivial, {"A": seeds(5), TRIVIAL_ARM: [scores(0)]})
    assert row.verdict == "reproduced" and row.seeds == "3/3"
    det = Claim("d", "x", 1.0, (Term(1.0, TRIVIAL_ARM),))
    assert verdict(det, {TRIVIAL_ARM: [scores(1)]}).seeds == "deterministic"


def test_filters_pick_the_tasks():
    # only the ZH unseen-dataset task differs between the arms
    arms = {"A": seeds(0), "B": [scores(0.1 * s, by_task={"ZH-B-Extract-y": -9.0}, seed=s) for s in range(3)]}
    zh = Claim("zh", "zh", 1.0, (Term(1.0, "A", TaskFilter(lang="zh")), Term(-1.0, "B", TaskFilter(lang="zh"))))
    en = Claim("en", "en", 1.0, (Term(1.0, "A", TaskFilter(lang="en")), Term(-1.0, "B", TaskFilter(lang="en"))))
    char = Claim("ch", "ch", 1.0, (Term(1.0, "A", TaskFilter(lang="zh"), "rougeL_char"),
                                   Term(-1.0, "B", TaskFilter(lang="zh"), "rougeL_char")))
    df = evaluate_claims([zh, en, char], arms)
    assert list(df.delta) == [9.0, 0.0, 4.5]


def claim_arms(sizes, d):
    """ClaimArms with readable stand-in keys (the plan's real keys: tests/study/test_plan.py)."""
    main = {(f, s): f"{f}@{s}" for f in ("BLOOM-like", "BLOOMZ-like", "EcomGPT") for s in sizes}
    roles = ("no_pseudo", "no_cot", "narrow", "no_oc", "en", "zh", "no_cls", "no_ext", "no_other", "fewest_tasks")
    return ClaimArms(sizes=tuple(sizes), main=main, full=f"EcomGPT@{d}", fewest_label="8 tasks",
                     **{r: f"{r}@{d}" for r in roles})


def test_cross_language_terms_combine_as_documented():
    d = "m"
    c = next(c for c in paper_claims(claim_arms(["s", "m"], d), paper_tables()) if c.id == "cross_language")
    full = [scores(0.1 * s, seed=s) for s in range(3)]
    arms = {f"EcomGPT@{d}": full,
            f"zh@{d}": [scores(0.1 * s, by_task={"ZH-B-Extract-y": -10.0}, seed=s) for s in range(3)],
            f"en@{d}": [scores(0.1 * s, by_task={"EN-A-CLS-x": -4.0, "EN-C-NER-z": -4.0}, seed=s) for s in range(3)]}
    row = evaluate_claims([c], arms).iloc[0]
    assert row.delta == 6.0 and row.verdict == "reproduced"  # (Full − ZH) on ZH 10 − (Full − EN) on EN 4


def test_mismatched_instances_are_refused():
    b = seeds(0)
    for s in b:
        s["EN-A-CLS-x"]["index"] = np.arange(1, N + 1)
    with pytest.raises(DataError, match="other instance indices"):
        evaluate_claims([claim()], {"A": seeds(5), "B": b})


def test_findings_columns_and_determinism():
    arms = {"A": seeds(0, noise=50), "B": seeds(1, noise=50)}
    df = evaluate_claims([claim(), claim(cid="d", a="B", b="A")], arms, seed=3)
    assert list(df.columns) == ["claim", "paper_delta", "delta", "ci_low", "ci_high", "seeds", "verdict", "id", "note"]
    assert tuple(df.columns) == FINDINGS_COLUMNS
    assert df.to_csv(index=False) == evaluate_claims([claim(), claim(cid="d", a="B", b="A")], arms, seed=3).to_csv(index=False)


def test_paper_deltas_come_from_the_reference_json():
    claims = {c.id: c for c in paper_claims(claim_arms(["xs", "s", "m", "l"], "m"), paper_tables())}
    p5 = paper_table("table5_cot_overall")
    assert claims["cot_pseudo"].paper_delta == pytest.approx(p5["Rouge-L"][0] - p5["Rouge-L"][1])
    assert claims["cot_pseudo"].paper_delta == pytest.approx(59.2 - 55.46)
    # the numbers the deleted table-based findings computed, claim by claim
    expected = {"main_vs_bloomz": 33.36, "main_vs_bloom": 49.33, "cot_pseudo": 3.74, "cot_gold": 20.44,
                "prompt_diversity": 23.82, "output_constraints": 3.59, "cross_paradigm": 35.6, "cross_language": 6.0,
                "model_scaling": 13.95}
    for cid, delta in expected.items():
        assert round(claims[cid].paper_delta, 2) == delta, cid
    assert math.isnan(claims["task_scaling"].paper_delta)


def test_paper_claims_name_the_arms_they_are_given():
    claims = paper_claims(claim_arms(["s", "l"], "l"), paper_tables())
    arms = {t.arm for c in claims for t in c.terms}
    roles = {"no_pseudo", "no_cot", "narrow", "no_oc", "en", "zh", "no_cls", "no_ext", "no_other", "fewest_tasks"}
    assert {f"{m}@{s}" for m in ("EcomGPT", "BLOOMZ-like", "BLOOM-like") for s in ("s", "l")} | {
        f"{r}@l" for r in roles} | {TRIVIAL_ARM} == arms
    ids = [c.id for c in claims]
    assert len(ids) == len(set(ids))
    assert {"target_trivial_rougeL_ws@s", "target_trivial_rougeL_char@l", "model_scaling"} <= set(ids)
    assert next(c.text for c in claims if c.id == "task_scaling") == "More training tasks help (Full − 8 tasks)"
    assert "model_scaling" not in {c.id for c in paper_claims(claim_arms(["s"], "s"), paper_tables())}
    with pytest.raises(DataError, match="no model size"):
        paper_claims(claim_arms([], "s"), paper_tables())


def test_best_trivial_arm_picks_per_metric():
    a, b = scores(10), scores(0)
    for m in b.values():
        m["rougeL_char"] = m["rougeL_char"] + 50  # b is better on char only
    merged, chosen = best_trivial_arm({"a": a, "b": b})
    assert chosen == {"rougeL_ws": "a", "rougeL_char": "b"}
    t = "EN-A-CLS-x"
    assert np.array_equal(merged[t]["rougeL_ws"], a[t]["rougeL_ws"])
    assert np.array_equal(merged[t]["rougeL_char"], b[t]["rougeL_char"])
    assert merged[t]["level"] == "unseen_dataset" and np.array_equal(merged[t]["index"], a[t]["index"])
