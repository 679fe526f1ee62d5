"""Open-world training tasks that were degenerate or wrong (issue #13): each on hand-written records,
then the open build on the real files (skipped unless ECOMLIB_DATA_DIR points at them)."""

import random
import re
from collections import Counter, defaultdict

import pytest

from ecomlib.instruct.kinds import KIND_FUNCS, Context
from ecomlib.instruct.tasks import applicable_kinds
from ecomlib.instruct.templates import KIND_TEXT, NOUNS, prompts_for
from ecomlib.recordtypes import RawRecord, SourceSpec


def _ctx():
    return Context(random.Random(0))


def _review(tuples):
    return RawRecord(id="r1", source="HuLiu", data_type="review", lang="en", text="the zoom is slow .",
                     labels={"tuples": tuples})


def test_no_opinion_extraction_from_a_source_without_opinion_annotations():
    # Hu & Liu: features and polarity only (no "opinion" key); the old kind answered "None" for every row.
    rec = _review([{"aspect": "zoom", "category": None, "polarity": "negative"}])
    assert KIND_FUNCS["opinion_extraction"](rec, _ctx()) is None
    assert KIND_FUNCS["aspect_extraction"](rec, _ctx()).answer == ["zoom"]
    # an implicit opinion (key present, value None) in an opinion-annotating source still yields
    implicit = _review([{"aspect": "zoom", "opinion": None, "category": None, "polarity": "negative"},
                        {"aspect": None, "opinion": "slow", "category": None, "polarity": "negative"}])
    assert KIND_FUNCS["opinion_extraction"](implicit, _ctx()).answer == ["slow"]


def test_aspect_polarity_skips_an_aspect_whose_polarity_was_dropped():
    rec = _review([{"aspect": "zoom", "opinion": None, "category": None, "polarity": None}])
    assert KIND_FUNCS["aspect_polarity"](rec, _ctx()) is None
    assert KIND_FUNCS["aspect_extraction"](rec, _ctx()).answer == ["zoom"]


def _qa(labels, text="fits 12 inch pans\nmade of glass\nfits 8 to 12 inch pans"):
    return RawRecord(id="q1", source="ePQA", data_type="qa", lang="en", text=text, labels=labels)


def test_evidence_select_keeps_every_answering_candidate():
    ev = ["fits 12 inch pans", "made of glass", "fits 8 to 12 inch pans"]
    rec = _qa({"question": "does it fit a 10 inch pan?", "answerable": True, "answer": "Yes.",
               "evidence": ev, "evidence_index": 0, "evidence_indices": [0, 2]})
    assert KIND_FUNCS["evidence_select"](rec, _ctx()).answer == [ev[0], ev[2]]
    one = _qa({"question": "q?", "answerable": True, "answer": "Yes.", "evidence": ev, "evidence_index": 1})
    assert KIND_FUNCS["evidence_select"](one, _ctx()).answer == [ev[1]]  # a single-index source is unchanged


def test_answer_extraction_is_not_derived_when_no_answer_is_a_span():
    # ePQA: answers are written, never spans of the context; unanswerable questions gave "None" in every row.
    spec = SourceSpec(name="ePQA", lang="en", data_type="qa", tasks=("answerability", "evidence_select"))
    recs = []
    for i in range(6):
        answerable = i % 2 == 0
        recs.append(RawRecord(id=f"q{i}", source="ePQA", data_type="qa", lang="en", text=f"candidate {i}\nother",
                              labels={"question": f"question {i}?", "answerable": answerable,
                                      "answer": "Yes, it does." if answerable else None,
                                      "evidence": [f"candidate {i}", "other"],
                                      "evidence_index": 0 if answerable else None}))
    kinds = applicable_kinds(spec, recs, seed=0)
    assert "answer_extract" not in kinds
    assert {"answerability", "question_generate", "evidence_select"} <= kinds
    # with one extractable answer among them the task applies (and keeps its "None" rows)
    recs[0].labels["answer"] = "candidate 0"
    assert "answer_extract" in applicable_kinds(spec, recs, seed=0)


def test_answerability_needs_an_answerability_label():
    rec = _qa({"question": "how long is the cord?", "answer": "6 inches"}, text="the cord is 6 inches")
    assert KIND_FUNCS["answerability"](rec, _ctx()) is None
    assert KIND_FUNCS["answer_generate"](rec, _ctx()).answer == "6 inches"


@pytest.mark.parametrize("kind,data_type", [("title_generate", "product"), ("question_generate", "qa")])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_prompt_names_what_the_input_holds(kind, data_type, lang):
    # title_generate's input is attributes only; question_generate's is a context and an answer (no question).
    core = KIND_TEXT[kind][lang][1]  # the request itself may say "title" ("write a product title")
    for dataset in ("OAMine", "AE110k", "ePQA", "hetPQA", "EnTitleGen", "ZhProductQA"):
        for prompt in prompts_for(kind, dataset, data_type, lang, "diverse"):
            frame = prompt.replace(core, "")
            assert not any(noun in frame for noun in NOUNS[data_type][lang]), prompt


def test_other_kinds_keep_their_data_nouns():
    # a title's own kinds still speak of the title
    prompts = prompts_for("coarse_classify", "OAMine", "product", "en", "diverse")
    assert any(noun in p for noun in NOUNS["product"]["en"] for p in prompts)


_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|amp|quot|lt|gt|apos);")


@pytest.mark.slow
@pytest.mark.realdata
def test_open_build_has_no_degenerate_task(data_dir, monkeypatch):
    from ecomlib import records
    from ecomlib.config import load_profile
    from ecomlib.instruct.builder import build_rows
    from ecomlib.instruct.templates import split_prompt

    monkeypatch.setenv("ECOMLIB_DATA_DIR", str(data_dir))
    p = load_profile("cpu", ["data.world=open"])
    res = build_rows(p, records.list_sources(p), lambda name: records.iter_records(p, name))
    outputs = defaultdict(Counter)
    for r in res.train + res.heldout:
        outputs[r["task"]][r["output"]] += 1
    single = {t: c for t, c in outputs.items() if len(c) == 1}
    assert not single, single
    tasks = set(outputs)
    assert not {"EN-HuLiu-Extract-opinion_extraction", "EN-ePQA-Extract-answer_extract",
                "EN-hetPQA-CLS-answerability"} & tasks
    ae = [r for r in res.train if r["dataset"] == "AE110k"]
    assert ae and not any(_ENTITY.search(r["input"] + r["output"]) for r in ae)
    ev = [r for r in res.train if r["task"] == "EN-ePQA-Extract-evidence_select"]
    multi = [r for r in ev if sum(line.split(". ", 1)[-1] in r["output"]
                                  for line in r["input"].split("\n")[2:]) > 1]
    assert len(multi) > len(ev) / 2  # most ePQA questions have several answering candidates
    for r in res.train:
        kind = r["task"].rsplit("-", 1)[1]
        if kind in ("title_generate", "question_generate"):
            noun_type = "product" if kind == "title_generate" else "qa"
            instruction = split_prompt(r["prompt"])["prompt"]  # the instruction part, in either layout
            frame = instruction.replace(KIND_TEXT[kind]["en"][1], "").replace(KIND_TEXT[kind]["zh"][1], "")
            assert not any(n in frame for n in NOUNS[noun_type]["en"] + NOUNS[noun_type]["zh"]), instruction
