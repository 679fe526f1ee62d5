"""The open-world study: published folders scored, missing Table-4 columns rendered, ablations that do
not exist in a world marked ``not applicable``."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from ecomlib.config import load_profile
from ecomlib.evaluation.registry import get_suite
from ecomlib.sources.published_eval import ECOMGPT_SUBDIR, ECOMGPT_TEST_TASKS
from ecomlib.study.claims import ClaimArms, evaluate_claims, paper_claims
from ecomlib.study.evidence import inapplicable_claims
from ecomlib.study.tables import paper_tables, with_missing

SIZES = ["xs", "s"]


ROLES = {"full": "Full", "no_pseudo": "w/o pseudo-label CoT", "no_cot": "w/o pseudo- and gold-label CoT",
         "narrow": "Narrow (one prompt per task family)", "no_oc": "w/o output constraints (OC)", "no_cls": "w/o CLS",
         "no_ext": "w/o Ext", "no_other": "w/o Other", "en": "EN", "zh": "ZH", "fewest_tasks": "4 tasks"}


def _claims():
    """The paper's claims on stand-in arm keys ``<label>@xs`` (the plan's real keys: tests/study/test_plan.py)."""
    main = {(f, s): f"{f}@{s}" for f in ("BLOOM-like", "BLOOMZ-like", "EcomGPT") for s in SIZES}
    arms = ClaimArms(sizes=tuple(SIZES), main=main, fewest_label="4 tasks", **{r: f"{lab}@xs" for r, lab in ROLES.items()})
    return {c.id: c for c in paper_claims(arms, paper_tables())}


def _digests(**same_as_full):
    """A digest per variant arm at the default size: each its own, or Full's where named."""
    labels = ["Full", "w/o pseudo-label CoT", "w/o pseudo- and gold-label CoT", "Narrow (one prompt per task family)",
              "w/o output constraints (OC)", "w/o CLS", "w/o Ext", "w/o Other", "EN", "ZH", "4 tasks"]
    out = {f"{lab}@xs": f"d-{lab}" for lab in labels}
    for lab in same_as_full.values():
        out[f"{lab}@xs"] = "d-Full"
    return out


def test_no_pseudo_label_tasks_makes_the_pseudo_claim_not_applicable_only():
    claims = _claims()
    out = inapplicable_claims(claims.values(), _digests(a="w/o pseudo-label CoT"))
    assert set(out) == {"cot_pseudo"}  # cot_gold still measures removing gold-label CoT (w/o pseudo = Full)
    assert "identical rows" in out["cot_pseudo"] and "w/o pseudo-label CoT@xs" in out["cot_pseudo"]


def test_a_vanishing_part_of_a_contrast_is_not_applicable():
    # No Chinese training rows: "EN" trains on Full's rows, so the ZH→EN half of the claim measures nothing.
    # The old rule (all arms identical) called this claim applicable and gave it a verdict.
    out = inapplicable_claims(_claims().values(), _digests(a="EN"))
    assert set(out) == {"cross_language"} and "lang=en" in out["cross_language"]
    # a paradigm without training tasks: its removal variant equals Full
    out = inapplicable_claims(_claims().values(), _digests(a="w/o Other"))
    assert set(out) == {"cross_paradigm"}
    # every training task already in the smallest subset
    assert set(inapplicable_claims(_claims().values(), _digests(a="4 tasks"))) == {"task_scaling"}


def test_nothing_is_inapplicable_when_every_variant_differs():
    assert inapplicable_claims(_claims().values(), _digests()) == {}


def test_the_findings_row_says_not_applicable_with_its_reason():
    claim = _claims()["cot_pseudo"]
    rng = np.random.default_rng(0)
    rep = {"EN-A-CLS-x": {"rougeL_ws": rng.random(20) * 100, "rougeL_char": rng.random(20) * 100,
                          "index": np.arange(20), "level": "unseen_dataset", "paradigm": "CLS", "lang": "en"}}
    arms = {"Full@xs": [rep] * 3, "w/o pseudo-label CoT@xs": [rep] * 3}
    reasons = inapplicable_claims([claim], _digests(a="w/o pseudo-label CoT"))
    row = evaluate_claims([claim], arms, inapplicable=reasons).iloc[0]
    assert row.verdict == "not applicable" and "identical rows" in row.note and math.isnan(row.delta)


def test_missing_table4_columns_render_as_a_dash_with_a_note():
    # The open world has no Review Topic / Product Select task: whole columns are NaN (pandas keeps NaN in
    # stack()); they must show as "–" with a note, never raise.
    df = pd.DataFrame({"Model": ["EcomGPT xs", "BLOOMZ-like xs"], "UD Rouge": [1.5, 0.0],
                       "RTC Rouge": [None, None], "PS Rouge": [float("nan"), float("nan")]})
    shown, note = with_missing(df)
    assert list(shown["RTC Rouge"]) == ["–", "–"] and list(shown["PS Rouge"]) == ["–", "–"]
    assert list(shown["UD Rouge"]) == [1.5, 0.0]
    assert "RTC Rouge" in note and "PS Rouge" in note and "UD Rouge" not in note
    assert with_missing(df[["Model", "UD Rouge"]])[1] == ""


def _fake_published(root, names):
    base = root / ECOMGPT_SUBDIR
    for name in names:
        d = base / name.split("-")[1] / "tasks" / name
        d.mkdir(parents=True)
        (d / "meta-info.json").write_text(json.dumps({}))
    return root


def test_published_status_names_present_and_absent_folders(tmp_path, monkeypatch):
    present = ["EN-Lenovo-NER-NER", "EN-ABSA-CLS-review_topic_category"]
    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(_fake_published(tmp_path, present)))
    status = get_suite("ecomgpt").status()
    assert status["present"] == [t for t in ECOMGPT_TEST_TASKS if t in present]
    assert len(status["absent"]) == len(ECOMGPT_TEST_TASKS) - 2 and not set(status["absent"]) & set(present)
    note = get_suite("ecomgpt").status_note(load_profile("smoke", {"data.world": "open"}))
    assert note.startswith(f"scored on 2 of the paper's {len(ECOMGPT_TEST_TASKS)}") and "ZH-MEPAVE-NER" in note


def test_published_applies_only_to_the_open_world_with_folders(tmp_path, monkeypatch):
    from ecomlib.config import load_profile

    published = get_suite("ecomgpt")
    open_p = load_profile("smoke", {"data.world": "open"})
    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(tmp_path))
    assert not published.applies(open_p) and published.instances(open_p, None) == []
    _fake_published(tmp_path, ["EN-Lenovo-NER-NER"])
    assert published.applies(open_p) and not published.applies(load_profile("smoke"))


def test_the_ecomgpt_split_loads_the_present_published_folders(data_dir, monkeypatch):
    from ecomlib.config import load_profile
    from ecomlib.study import pipeline

    published = get_suite("ecomgpt")
    if not published.status()["present"]:
        pytest.skip(f"no published EcomGPT folder under {data_dir}")
    p = load_profile("smoke", {"data.world": "open"})
    inst = pipeline.heldout_suite(p, "ecomgpt")
    tasks = sorted({i.task for i in inst})
    assert tasks == sorted(published.status()["present"])
    assert all(sum(i.task == t for i in inst) == p.eval.n_per_task for t in tasks)


def test_open_pretraining_reads_training_sources_only():
    from ecomlib.config import load_profile
    from ecomlib.sources import list_sources
    from ecomlib.instruct.pretrain_text import open_pretrain_sources

    p = load_profile("smoke", {"data.world": "open"})
    names = open_pretrain_sources(p.data)
    heldout = {s.name for s in list_sources() if s.heldout}
    assert names and not set(names) & heldout
    # the default held-in datasets (the paper's held-in families) feed no training stage, pretraining included
    assert not {"TaobaoNER", "YoukuNER", "CCKSAddress", "Bitext"} & set(names)
    no_heldin = load_profile("smoke", {"data.world": "open", "data.heldin_per_task": 0})
    assert {"TaobaoNER", "YoukuNER", "CCKSAddress", "Bitext"} <= set(open_pretrain_sources(no_heldin.data))
    only_taobao = load_profile("smoke", {"data.world": "open", "data.heldin_tasks": ["TaobaoNER:ner"]})
    assert {"YoukuNER", "Bitext"} <= set(open_pretrain_sources(only_taobao.data))
    assert "TaobaoNER" not in open_pretrain_sources(only_taobao.data)


def test_the_open_worlds_raw_text_is_its_sources_text_not_the_synthetic_world(data_dir):
    from ecomlib import sources
    from ecomlib.config import load_profile
    from ecomlib.instruct.pretrain_text import iter_profile_pretrain_text, open_pretrain_sources
    from ecomlib.world import iter_pretrain_text

    p = load_profile("smoke", {"data.world": "open"})
    docs = list(iter_profile_pretrain_text(p))
    assert len(docs) == p.world.pretrain_documents and docs == list(iter_profile_pretrain_text(p))
    assert not set(docs) & set(iter_pretrain_text(p.world, p.seed))  # before: the synthetic documents
    firsts = {}
    for name in open_pretrain_sources(p.data):
        firsts[name] = [r.text for r in sources.iter_records(name, data_dir, limit=p.world.pretrain_documents)]
    train_text = {t for ts in firsts.values() for t in ts}
    assert all(d in train_text or d.rsplit("\n", 1)[0] in train_text for d in docs)  # text (+ question)
    held = {s.name for s in sources.list_sources() if s.heldout}
    held_text = {r.text for n in held for r in sources.iter_records(n, data_dir, limit=200)}
    assert not set(docs) & held_text


def test_an_empty_seed_spread_column_is_shown_as_a_dash_without_a_note():
    df = pd.DataFrame({"label": ["Full"], "UD_rougeL": [1.0], "UD_rougeL_sd": [None], "UD Rouge sd": [None]})
    shown, note = with_missing(df)
    assert shown["UD_rougeL_sd"].iloc[0] == "–" and note == ""
