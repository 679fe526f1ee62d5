from ecomlib.config import load_profile
from ecomlib.study import experiments as E
from ecomlib.study.tables import paper_table


def test_labels_match_the_paper():
    p = load_profile("smoke")
    assert [v.label for v in E.cot_by_paradigm(p)] == list(paper_table("table8_cot_paradigm")["Training"])
    labels = list(dict.fromkeys(v.label for v in E.prompts(p)))  # seeded variants repeat their label
    assert labels == list(paper_table("table11_prompts")["Setting"])
    groups = [next(v.group for v in E.prompts(p) if v.label == lab) for lab in labels]
    assert groups == list(paper_table("table11_prompts")["Ablation"])
    labels9 = {v.label for v in E.cross_paradigm(p)}
    assert labels9 == set(paper_table("table9_cross_paradigm")["Training"])


def test_variant_counts_follow_the_profile():
    from ecomlib.config import apply_overrides

    p = apply_overrides(load_profile("smoke"), {"study.seeds": [0, 1, 2]})
    k = len(p.study.seeds)
    assert len(E.cot_overall(p)) == 3 * k
    assert len(E.cross_language(p)) == 3 * k  # EN, Full (= EN+ZH), ZH at the default size, every seed
    assert len(E.cross_paradigm(p)) == 4 * k + 1  # Full, w/o CLS/Ext/Other every seed; w/o Gen once
    assert len(E.task_scaling(p)) == 2 * k + len(p.study.task_counts) - 1  # fewest tasks and Full every seed
    assert len(E.model_ladder(p)) == len(p.model.ladder) * k
    assert len(E.prompts(p)) == 5 * k + 3
    claimed = {(v.label, v.seed) for v in E.cot_overall(p) + E.prompts(p) + E.cross_paradigm(p) + E.cross_language(p)}
    for label in ("Full", "w/o pseudo-label CoT", "Narrow (one prompt per task family)", "w/o output constraints (OC)",
                  "w/o CLS", "w/o Ext", "w/o Other", "EN", "ZH"):
        assert {s for lab, s in claimed if lab == label} == set(p.study.seeds), label  # every claim arm: all seeds


def test_a_variant_keeps_the_users_train_seed():
    """Variants without a seed of their own used to reset train.seed to 0 (Variant.seed defaulted to 0)."""
    from ecomlib.config import apply_overrides

    p = apply_overrides(load_profile("smoke"), {"train.seed": 7})
    assert E.variant_profile(p, E.Variant("w/o Gen", {"exclude_paradigms": ["GEN"]})).train.seed == 7
    assert E.variant_profile(p, E.Variant("Full", seed=2)).train.seed == 2
    assert all(E.variant_profile(p, v).train.seed == 7 for v in E.data_scaling(p) + E.cot_by_paradigm(p))


def test_lr_sweep_and_compute_scaling_follow_the_profile():
    p = load_profile("smoke")
    assert [E.variant_profile(p, v).train.lr for v in E.lr_sweep(p)] == p.study.lr_grid
    steps = [E.variant_profile(p, v).train.max_steps for v in E.compute_scaling(p)]
    assert steps == [round(m * p.train.max_steps) for m in p.study.compute_multipliers]


def test_cot_datasets_are_training_datasets(monkeypatch, tmp_path):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path))
    from ecomlib.instruct.tasks import task_registry

    p = load_profile("smoke")
    picked = E.cot_datasets(p, k=3)
    reg = task_registry(p)
    heldout = {t.dataset for t in reg if t.heldout}
    assert len(picked) == 3 == len(set(picked)) and not set(picked) & heldout
    assert all(any(t.dataset == d and t.origin == "cot" for t in reg) for d in picked)
