import random

import numpy as np
import pytest

from ecomlib.errors import DataError
from ecomlib.evaluation.metrics import score_task
from ecomlib.evaluation.per_instance import instance_scores, load_instance_scores, save_instance_scores
from ecomlib.evaluation.suites import EvalInstance

WORDS = ["Asus", "laptop", "ten", "hours", "None", "纯棉", "白色", "a", "b", "c", ".", "", "Brand", "same"]


def _answer(rng: random.Random, task_type: str) -> str:
    if task_type == "NER":
        return "\n".join(f"{t}: {rng.choice(['None', 'Asus', 'laptop, Asus', '纯棉'])}"
                         for t in rng.sample(["Brand", "Product", "材质"], rng.randint(0, 3)))
    n = rng.randint(0, 4)
    sep = rng.choice([", ", " ", ""])
    return sep.join(rng.choice(WORDS) for _ in range(n))


def _suite(rng: random.Random):
    out = []
    for k, tt in enumerate(("CLS", "NER", "Condition_Extract", "Extract", "Generate")):
        task = f"EN-Shop-{tt}-t{k}"
        for i in rng.sample(range(100), 30):  # indices out of order: results come ordered by index
            out.append(EvalInstance(task=task, index=i, prompt="p", gold=_answer(rng, tt), task_type=tt,
                                    paradigm="X", lang="en", level="unseen_dataset",
                                    text="Asus laptop 纯棉白色, ten hours"))
    return out


def test_means_equal_score_task_for_every_task_type():
    rng = random.Random(0)
    suite = _suite(rng)
    preds = {(i.task, i.index): (i.gold if rng.random() < 0.3 else _answer(rng, i.task_type)) for i in suite}
    per = instance_scores(suite, preds)
    assert len(per) == 5
    for task, m in per.items():
        insts = sorted((i for i in suite if i.task == task), key=lambda i: i.index)
        assert list(m["index"]) == [i.index for i in insts]
        ref = score_task(m["task_type"], [preds[(i.task, i.index)] for i in insts], [i.gold for i in insts],
                         [i.text for i in insts])
        for key in ("rougeL_ws", "rougeL_char", "acc"):
            assert round(float(np.mean(m[key])), 4) == ref[key], (task, key)
        assert 0 < float(np.mean(m["acc"])) < 100


def test_missing_prediction_is_an_error():
    suite = _suite(random.Random(1))
    with pytest.raises(DataError, match="no prediction"):
        instance_scores(suite, {})


def test_save_load_round_trip_and_deterministic_bytes(tmp_path):
    rng = random.Random(2)
    suite = _suite(rng)
    per = instance_scores(suite, {(i.task, i.index): _answer(rng, i.task_type) for i in suite})
    p1 = save_instance_scores(tmp_path / "a", per)
    p2 = save_instance_scores(tmp_path / "b", instance_scores(suite, {(i.task, i.index): "" for i in suite}))
    p3 = save_instance_scores(tmp_path / "c", per)
    assert p1.read_bytes() == p3.read_bytes() != p2.read_bytes()
    back = load_instance_scores(tmp_path / "a")
    assert set(back) == set(per)
    for task in per:
        for key in ("rougeL_ws", "rougeL_char", "acc", "index"):
            assert np.array_equal(back[task][key], per[task][key])
        assert back[task]["level"] == per[task]["level"] and back[task]["task_type"] == per[task]["task_type"]


def test_load_names_the_file_on_bad_input(tmp_path):
    bad = tmp_path / "instance_scores.json"
    bad.write_text('{"T": {"index": [0, 1], "rougeL_ws": [1.0]}}', encoding="utf-8")
    with pytest.raises(DataError, match="instance_scores.json"):
        load_instance_scores(bad)
    meta = '"level": "", "task_type": "CLS", "paradigm": "CLS", "lang": "en"'
    bad.write_text('{"T": {"index": [0, 1], "rougeL_ws": [1.0], "rougeL_char": [1.0, 2.0], ' + meta + "}}",
                   encoding="utf-8")
    with pytest.raises(DataError, match="differ in length"):
        load_instance_scores(bad)
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(DataError, match="JSON object"):
        load_instance_scores(tmp_path)
    with pytest.raises(DataError, match="not found"):
        load_instance_scores(tmp_path / "nope.json")
