"""The study plan: arms keyed by what is trained (never by display labels), rows in the paper's order."""

import dataclasses

import pytest

from ecomlib.config import apply_overrides, load_profile
from ecomlib.errors import ConfigError
from ecomlib.study import plan as P
from ecomlib.study.claims import TRIVIAL_ARM
from ecomlib.study.tables import paper_table


def test_labels_match_the_paper():
    p = load_profile("smoke")
    assert [r.label for r in P.cot_by_paradigm(p)] == list(paper_table("table8_cot_paradigm")["Training"])
    labels = list(dict.fromkeys(r.label for r in P.prompts(p)))  # seeded rows repeat their label
    assert labels == list(paper_table("table11_prompts")["Setting"])
    groups = [next(r.group for r in P.prompts(p) if r.label == lab) for lab in labels]
    assert groups == list(paper_table("table11_prompts")["Ablation"])
    labels9 = {r.label for r in P.cross_paradigm(p)}
    assert labels9 == set(paper_table("table9_cross_paradigm")["Training"])


def test_row_counts_follow_the_profile():
    p = apply_overrides(load_profile("smoke"), {"study.seeds": [0, 1, 2]})
    k = len(p.study.seeds)
    assert len(P.cot_overall(p)) == 3 * k
    assert len(P.cross_language(p)) == 3 * k  # EN, Full (= EN+ZH), ZH at the default size, every seed
    assert len(P.cross_paradigm(p)) == 4 * k + 1  # Full, w/o CLS/Ext/Other every seed; w/o Gen once
    assert len(P.task_scaling(p)) == 2 * k + len(p.study.task_counts) - 1  # fewest tasks and Full every seed
    assert len(P.model_ladder(p)) == len(p.model.ladder) * k
    assert len(P.prompts(p)) == 5 * k + 3
    assert len(P.main_table(p)) == 3 * len(p.model.ladder) * k
    plan = P.study_plan(p)
    seeds: dict[str, set] = {}
    for arm, seed, _ in plan.runs():
        seeds.setdefault(arm.key, set()).add(seed)
    for c in plan.claims:  # every arm a claim names is in the plan, with every seed
        for t in c.terms:
            assert t.arm == TRIVIAL_ARM or seeds[t.arm] == set(p.study.seeds), (c.id, t.arm)


def test_a_row_keeps_the_users_train_seed():
    """Rows without a seed of their own used to reset train.seed to 0 (Variant.seed defaulted to 0)."""
    p = apply_overrides(load_profile("smoke"), {"train.seed": 7})
    rows = P.data_scaling(p) + P.cot_by_paradigm(p)
    assert all(r.seed == 7 and r.arm.profile(p, r.seed).train.seed == 7 for r in rows)
    full = P.make_arm(p)
    assert full.profile(p, 2).train.seed == 2 and full.profile(p, 7) is p


def test_lr_sweep_and_compute_scaling_follow_the_profile():
    p = load_profile("smoke")
    assert [r.arm.profile(p, r.seed).train.lr for r in P.lr_sweep(p)] == p.study.lr_grid
    steps = [r.arm.profile(p, r.seed).train.max_steps for r in P.compute_scaling(p)]
    assert steps == [round(m * p.train.max_steps) for m in p.study.compute_multipliers]
    assert P.study_plan(p).experiments["lr_sweep"].suites == ("heldin",)  # never scored on held-out


def test_cot_datasets_are_training_datasets(monkeypatch, tmp_path):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path))
    from ecomlib.instruct.tasks import task_registry

    p = load_profile("smoke")
    picked = P.cot_datasets(p, k=3)
    reg = task_registry(p)
    heldout = {t.dataset for t in reg if t.heldout}
    assert len(picked) == 3 == len(set(picked)) and not set(picked) & heldout
    assert all(any(t.dataset == d and t.origin == "cot" for t in reg) for d in picked)


def test_keys_are_derived_from_what_is_trained():
    p = load_profile("smoke")
    assert P.make_arm(p).key == "EcomGPT@xs"
    assert P.make_arm(p, "BLOOMZ-like", "s").key == "BLOOMZ-like@s"
    assert P.make_arm(p, selection={"exclude_strategies": ["pseudo"]}).key == "EcomGPT@xs[exclude_strategies=pseudo]"
    both = P.make_arm(p, selection={"exclude_strategies": ["recombine", "pseudo"], "langs": ["en"]})
    assert both.key == "EcomGPT@xs[exclude_strategies=pseudo+recombine;langs=en]"  # sorted: order-free
    assert P.make_arm(p, overrides={"data.template": "narrow"}).key == "EcomGPT@xs{data.template=narrow}"
    assert P.make_arm(p, overrides={"train.lr": 0.006}).key == "EcomGPT@xs{train.lr=0.006}"
    # a default selection field or an override equal to the profile trains the same model: the same arm
    assert P.make_arm(p, selection={"seed": p.seed}, overrides={"train.lr": p.train.lr}) == P.make_arm(p)
    with pytest.raises(ConfigError, match="EcomGPT only"):
        P.make_arm(p, "BLOOM-like", selection={"langs": ["en"]})
    with pytest.raises(ConfigError):
        P.make_arm(p, "GPT-5")


def test_one_model_under_several_labels_is_one_arm():
    p = load_profile("smoke")
    plan = P.study_plan(p)
    full = P.make_arm(p).key
    labels = {r.label for e in plan.experiments.values() for r in e.rows if r.arm.key == full}
    assert {"Full", "Complete", "EN prompts for all tasks", "Diverse (per-dataset expert prompts)", "EcomGPT",
            "lr 0.003", "1x steps"} == labels
    assert plan.labels()[full] == "EcomGPT xs"  # the main table's name comes first
    runs = [(a.key, s) for a, s, _ in plan.runs()]
    assert len(runs) == len(set(runs)) and (full, 0) in runs  # trained and scored once
    assert dict((a.key, su) for a, s, su in plan.runs())[full] is P.ALL_SUITES  # lr 0.003 does not narrow it


def test_keys_do_not_depend_on_labels():
    p = load_profile("smoke")
    before = [r.arm.key for r in P.cot_overall(p)]
    relabelled = [dataclasses.replace(r, label=r.label.upper()) for r in P.cot_overall(p)]
    assert [r.arm.key for r in relabelled] == before
    arms = P.claim_arms(p)
    assert arms.no_pseudo == "EcomGPT@xs[exclude_strategies=pseudo]" and arms.full == "EcomGPT@xs"
    assert arms.fewest_tasks == "EcomGPT@xs[n_tasks=4]" and arms.main[("BLOOM-like", "s")] == "BLOOM-like@s"


def test_only_restricts_a_plan():
    plan = P.study_plan(load_profile("smoke"))
    sub = plan.only("cot_overall")
    assert not sub.main and list(sub.experiments) == ["cot_overall"] and not sub.claims
    with pytest.raises(ConfigError, match="no experiment"):
        plan.only("nope")


def test_single_seed_arms_off_keeps_every_claim_arm_at_every_seed():
    """``study.single_seed_arms: false`` (the cpu profile) drops the single-seed variants only: every arm a
    claim names keeps every seed, and nothing a claim needs goes missing."""
    on = apply_overrides(load_profile("smoke"), {"study.seeds": [0, 1, 2]})
    off = apply_overrides(on, {"study.single_seed_arms": False})
    assert P.cot_by_dataset(off) == [] and P.cot_by_paradigm(off) == [] and P.data_scaling(off) == []
    assert len(P.prompts(off)) == 5 * 3 and len(P.cross_paradigm(off)) == 4 * 3
    assert len(P.task_scaling(off)) == 2 * 3
    assert len(P.prompts(on)) == 5 * 3 + 3  # the default keeps them
    plan_on, plan_off = P.study_plan(on), P.study_plan(off)
    runs_off = {(a.key, s) for a, s, _ in plan_off.runs()}
    singles = {(a.key, s) for a, s, _ in plan_on.runs()} - runs_off
    assert singles and all(s == on.train.seed for _, s in singles)  # what is left out was trained once
    assert [c.id for c in plan_off.claims] == [c.id for c in plan_on.claims]
    for c in plan_off.claims:
        for t in c.terms:
            assert t.arm == TRIVIAL_ARM or all((t.arm, s) in runs_off for s in off.study.seeds), (c.id, t.arm)


def test_the_cpu_profile_trains_every_claim_arm_at_three_seeds_and_three_sizes():
    p = load_profile("cpu")
    assert len(p.study.seeds) >= 3 and len(p.model.ladder) >= 3
    plan = P.study_plan(p)
    seeds: dict[str, set] = {}
    for arm, seed, _ in plan.runs():
        seeds.setdefault(arm.key, set()).add(seed)
    assert p.train.base_seed is not None  # the bases are one fixed model per size, shared by every seed
    fixed = {a.key for a, _, _ in plan.runs() if a.family != "EcomGPT"}
    for c in plan.claims:
        for t in c.terms:
            assert t.arm in (TRIVIAL_ARM, *fixed) or len(seeds[t.arm]) >= 3, (c.id, t.arm)
    ecomgpt = {a.size for a, _, _ in plan.runs() if a.family == "EcomGPT" and not a.selection and not a.overrides}
    assert ecomgpt == {s.name for s in p.model.ladder}
