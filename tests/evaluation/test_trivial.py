import random

import pytest

from ecomlib.errors import DataError
from ecomlib.evaluation import parsing
from ecomlib.evaluation.suites import EvalInstance
from ecomlib.evaluation.trivial import (
    TRIVIAL, best_trivial, copy_input, in_suite_majority, majority, majority_answers, random_candidate, score_trivial,
)

CLS, NER, EXT, GEN = "EN-Shop-CLS-topic", "EN-Shop-NER-ner", "EN-Shop-Extract-qa", "ZH-Shop-Generate-title"


def inst(task, index, gold, task_type, paradigm, labels=(), text="", prompt="p", lang="en", level="unseen_dataset"):
    return EvalInstance(task=task, index=index, prompt=prompt, gold=gold, task_type=task_type, paradigm=paradigm,
                        lang=lang, level=level, label_set=tuple(labels), text=text)


def rendered(input_text):
    return f"Instruction: Answer the question.\nInput: {input_text}\n### Response:\n"


SUITE = [
    inst(CLS, 0, "a", "CLS", "CLS", ("a", "b")),
    inst(CLS, 1, "b", "CLS", "CLS", ("b", "a")),
    inst(NER, 0, "Brand: Asus\nProduct: None", "NER", "OTHER", ("Brand", "Product"), text="Asus laptop"),
    inst(EXT, 0, "ten hours", "Extract", "EXT", text="the battery lasts ten hours, great"),
    # a held-out row without an "input" field: the suite puts the whole prompt in text
    inst(EXT, 1, "ok", "Extract", "EXT", text=rendered("fine ok"), prompt=rendered("fine ok")),
    inst(GEN, 0, "小熊电热水壶", "Generate", "GEN", text="品牌：小熊；容量：1.5L", lang="zh"),
]


def test_random_candidate_exact_predictions():
    preds = random_candidate(SUITE, seed=7)
    for i in (0, 1):
        expect = random.Random(f"7:{CLS}:{i}").choice(list(SUITE[i].label_set))
        assert preds[(CLS, i)] == expect
    assert preds[(NER, 0)] == "Brand: None\nProduct: None"
    assert preds[(EXT, 0)] == preds[(EXT, 1)] == preds[(GEN, 0)] == ""
    assert set(preds) == {(i.task, i.index) for i in SUITE}


def test_random_candidate_is_seeded_not_global():
    many = [inst(CLS, k, "a", "CLS", "CLS", ("a", "b", "c", "d", "e")) for k in range(40)]
    random.seed(1)
    first = random_candidate(many, seed=3)
    random.seed(2)
    assert random_candidate(many, seed=3) == first  # global random state does not matter
    assert random_candidate(many, seed=4) != first
    assert set(first.values()) <= set("abcde") and len(set(first.values())) > 1


def test_ner_none_answer_parses_to_no_entity():
    pred = random_candidate(SUITE)[(NER, 0)]
    assert parsing.parse_ner(pred) == set()
    ref = parsing.parse_ner_ref(pred)
    assert set(ref) == {"Brand", "Product"}
    assert parsing.bio_tags_ref("Asus laptop", ref) == ["O"] * len("Asus laptop")
    # without candidates shown, the types come from the gold's own lines
    bare = inst(NER, 1, "Brand: Asus\nProduct: None", "NER", "OTHER")
    assert random_candidate([bare])[(NER, 1)] == "Brand: None\nProduct: None"


def test_majority_ties_go_to_the_smallest_answer_whatever_the_order():
    rows = [{"task": CLS, "output": o} for o in ("b", "a", "b", "a", "c")]
    assert majority_answers(rows) == {CLS: "a"}
    assert majority_answers(rows[::-1]) == {CLS: "a"}
    rows.append({"task": CLS, "output": "c"})
    rows.append({"task": CLS, "output": "c"})
    assert majority_answers(rows) == {CLS: "c"}


def test_majority_falls_back_without_training_rows():
    preds = majority(SUITE, [{"task": EXT, "output": "None"}, {"task": "other", "output": "x"}])
    assert preds[(CLS, 0)] == "a" and preds[(CLS, 1)] == "b"  # first candidate shown
    assert preds[(NER, 0)] == "Brand: None\nProduct: None"
    assert preds[(EXT, 0)] == preds[(EXT, 1)] == "None"  # the task's training answer
    assert preds[(GEN, 0)] == ""


def test_majority_rejects_malformed_rows():
    with pytest.raises(DataError, match="train row 2"):
        majority_answers([{"task": CLS, "output": "a"}, {"task": CLS}])


def test_copy_input_uses_the_input_part():
    preds = copy_input(SUITE, seed=7, n_chars=10)
    assert preds[(EXT, 0)] == "the batter"
    assert preds[(EXT, 1)] == "fine ok"  # parsed from the prompt, not its header
    assert preds[(GEN, 0)] == "品牌：小熊；容量：1"
    assert preds[(CLS, 0)] == random_candidate(SUITE, seed=7)[(CLS, 0)]
    assert preds[(NER, 0)] == "Brand: None\nProduct: None"
    assert copy_input(SUITE)[(EXT, 0)] == "the battery lasts ten hours, great"


def test_in_suite_majority_counts_the_other_instances_gold_answers():
    # no training rows (an evaluation-only suite): the most frequent gold among the other scored instances
    rows = [inst(CLS, n, gold, "CLS", "CLS") for n, gold in enumerate(("b", "a", "b", "b"))]
    rows += [inst(GEN, n, gold, "Generate", "GEN") for n, gold in enumerate(("x", "w", "y"))]
    rows.append(inst(EXT, 0, "alone", "Extract", "EXT"))
    preds = in_suite_majority(rows)
    assert [preds[(CLS, n)] for n in range(4)] == ["b", "b", "b", "b"]
    # unique answers: never an instance's own gold (counting it would score 1 in n by construction)
    assert [preds[(GEN, n)] for n in range(3)] == ["w", "x", "w"]
    assert preds[(EXT, 0)] == ""


def test_copy_input_takes_a_suites_own_input():
    preds = copy_input(SUITE, n_chars=4, text=lambda i: "[" + i.text + "]")
    assert preds[(EXT, 0)] == "[the" and preds[(GEN, 0)] == "[品牌："
    assert preds[(NER, 0)] == "Brand: None\nProduct: None"  # CLS and NER still answer as random candidate


def test_score_trivial_by_hand():
    suite = [inst(CLS, 0, "a", "CLS", "CLS", ("a", "b")), inst(CLS, 1, "b", "CLS", "CLS", ("a", "b")),
             inst(EXT, 0, "ten hours", "Extract", "EXT", text="ten hours left")]
    scores = score_trivial(suite, [{"task": CLS, "output": "a"}, {"task": EXT, "output": "ten hours"}], seed=0)
    assert list(scores) == list(TRIVIAL)
    maj = scores["majority"]["tasks"]
    # CLS: "a" right once, wrong once; ws Rouge of identical strings is 0.99999999
    assert maj[CLS]["acc"] == 50.0 and maj[CLS]["miF1"] == 50.0 and maj[CLS]["rougeL_char"] == 50.0
    assert maj[CLS]["rougeL_ws"] == 50.0
    assert maj[EXT]["rougeL_char"] == 100.0 and maj[EXT]["rougeL_ws"] == 100.0
    assert scores["majority"]["summary"]["corrected"]["UD_rougeL"] == 75.0
    # copy input on the extraction: "ten hours left" vs "ten hours": char LCS 2 of 3 + 2 tokens
    cp = scores["copy input"]["tasks"][EXT]
    assert cp["rougeL_char"] == 80.0
    assert scores["random candidate"]["tasks"][EXT]["rougeL_char"] == 0.0


def test_best_trivial_picks_the_highest_and_breaks_ties_by_order():
    s = lambda v: {"summary": {"ref": {"UD_rougeL": v}, "corrected": {"UD_rougeL": None}}}  # noqa: E731
    assert best_trivial({"x": s(1.0), "y": s(3.0), "z": s(3.0)}, "UD_rougeL") == ("y", 3.0)
    with pytest.raises(DataError, match="no predictor"):
        best_trivial({"x": s(1.0)}, "UD_rougeL", variant="corrected")
