from ecomlib.config import load_profile
from ecomlib.study import experiments as E
from ecomlib.study.tables import paper_table


def test_labels_match_the_paper():
    p = load_profile("smoke")
    assert [v.label for v in E.cot_by_paradigm(p)] == list(paper_table("table8_cot_paradigm")["Training"])
    assert [v.label for v in E.prompts(p)] == list(paper_table("table11_prompts")["Setting"])
    assert [v.group for v in E.prompts(p)] == list(paper_table("table11_prompts")["Ablation"])
    labels9 = {v.label for v in E.cross_paradigm(p)}
    assert labels9 == set(paper_table("table9_cross_paradigm")["Training"])


def test_variant_counts_follow_the_profile():
    p = load_profile("smoke")
    n = len(p.model.ladder)
    assert len(E.cot_overall(p)) == 3 * len(p.study.seeds)
    assert len(E.cross_language(p)) == 3 * n and len(E.cross_paradigm(p)) == 5 * n
    assert len(E.task_scaling(p)) == n * len(p.study.task_counts)


def test_cot_datasets_are_training_datasets(monkeypatch, tmp_path):
    monkeypatch.setenv("ECOMLIB_WORK_DIR", str(tmp_path))
    from ecomlib.instruct.tasks import task_registry

    p = load_profile("smoke")
    picked = E.cot_datasets(p, k=3)
    reg = task_registry(p)
    heldout = {t.dataset for t in reg if t.heldout}
    assert len(picked) == 3 == len(set(picked)) and not set(picked) & heldout
    assert all(any(t.dataset == d and t.origin == "cot" for t in reg) for d in picked)
