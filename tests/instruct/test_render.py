"""Output formats per TaskType, candidates, and six-part rendering variants."""

import random

from ecomlib.instruct.kinds import KIND_FUNCS, Context, Instance
from ecomlib.instruct.render import candidates_for, format_output
from ecomlib.instruct.templates import EVAL_VARIANT, HEADERS, TemplateVariant, prompts_for, render, split_prompt
from ecomlib.recordtypes import RawRecord, Span
from ecomlib.schema import LABEL_SEP, PROMPT_END, TASK_KINDS

TITLE = RawRecord("T-1", "Src", "product", "en", "Acme red cotton shirt",
                  [Span(0, 4, "brand", "Acme"), Span(5, 8, "color", "red"), Span(9, 15, "material", "cotton")],
                  {"attributes": {"color": "red", "material": "cotton"}, "category_coarse": "clothing"})


def ctx():
    return Context(random.Random(0))


def test_ner_output_lists_every_candidate_type_and_none_for_absent():
    inst = KIND_FUNCS["ner"](TITLE, ctx())
    out = format_output(inst, "NER", ["material", "size", "brand", "color"])
    assert out == "material: cotton\nsize: None\nbrand: Acme\ncolor: red"


def test_cls_extract_generate_formats():
    assert format_output(Instance("x", ["a", "b"], "p", gold=("a", "b")), "CLS", ["b", "a"]) == "a" + LABEL_SEP + "b"
    assert format_output(Instance("x", [], "p"), "Extract", []) == "None"
    assert format_output(Instance("x", [], "p"), "Condition_Extract", []) == "None"
    assert format_output(Instance("x", ["u", "v"], "p"), "Extract", []) == "u, v"
    assert format_output(Instance("x", "free text", "p"), "Generate", []) == "free text"


def test_candidates_include_gold_and_negatives_and_respect_cap():
    inst = Instance("x", ["b"], "p", gold=("b",))
    universe = {"a", "b", "c", "d", "e"}
    for seed in range(20):
        c = candidates_for(inst, "CLS", universe, 2, 12, random.Random(seed))
        assert "b" in c and len(c) == 3 and len(set(c)) == 3 and set(c) <= universe
    capped = candidates_for(inst, "CLS", universe, 4, 2, random.Random(0))
    assert "b" in capped and len(capped) == 2
    closed = Instance("x", ["yes"], "p", gold=("yes",), closed=("yes", "no"))
    assert sorted(candidates_for(closed, "CLS", {"zzz"}, 3, 12, random.Random(0))) == ["no", "yes"]
    assert candidates_for(Instance("x", ["s"], "p"), "Extract", universe, 2, 12, random.Random(0)) == []


def test_candidate_negatives_vary_with_rng_but_are_deterministic():
    inst = Instance("x", ["b"], "p", gold=("b",))
    universe = set("abcdefghij")
    draws = {tuple(candidates_for(inst, "CLS", universe, 2, 12, random.Random(s))) for s in range(10)}
    assert len(draws) > 1
    assert candidates_for(inst, "CLS", universe, 2, 12, random.Random(3)) == candidates_for(
        inst, "CLS", universe, 2, 12, random.Random(3))


def _render(variant, lang="en", kind="coarse_classify", choice=0):
    return render(kind, "Src", "product", lang, "Acme red cotton shirt", ["clothing", "home"], variant, choice)


def test_six_parts_in_order_and_marker():
    p = _render(TemplateVariant())
    assert p.endswith(PROMPT_END)
    lines = p.split("\n")
    heads = ["Task: ", "Instruction: ", "Input: ", "Candidate labels: ", "Output constraint: "]
    assert [next(h for h in heads if l.startswith(h)) for l in lines[:5]] == heads
    parts = split_prompt(p)
    assert parts["input"] == "Acme red cotton shirt" and parts["candidates"] == "clothing, home"


def test_task_info_and_output_constraint_toggle_only_their_part():
    full = split_prompt(_render(TemplateVariant()))
    no_info = split_prompt(_render(TemplateVariant(task_info=False)))
    no_cons = split_prompt(_render(TemplateVariant(output_constraint=False)))
    assert "task" not in no_info and {k: v for k, v in full.items() if k != "task"} == no_info
    assert "constraint" not in no_cons and {k: v for k, v in full.items() if k != "constraint"} == no_cons


def test_prompt_language_changes_headers_and_prompt_only():
    en = split_prompt(_render(TemplateVariant(prompt_lang="en")))
    zh_p = _render(TemplateVariant(prompt_lang="zh"))
    zh = split_prompt(zh_p)
    assert zh_p.startswith(HEADERS["zh"]["task"]) and any("\u4e00" <= ch <= "\u9fff" for ch in zh["prompt"])
    assert zh["input"] == en["input"] and zh["candidates"] == en["candidates"]
    assert zh["prompt"] != en["prompt"] and zh["task"] != en["task"] and zh["constraint"] != en["constraint"]
    # "input": follows the input's language
    assert _render(TemplateVariant(prompt_lang="input"), lang="zh") == _render(TemplateVariant(prompt_lang="zh"), lang="zh")
    assert _render(TemplateVariant(prompt_lang="input"), lang="en") == _render(TemplateVariant(prompt_lang="en"), lang="en")


def test_diverse_has_three_wordings_per_dataset_narrow_exactly_one():
    for kind in TASK_KINDS:
        for lang in ("en", "zh"):
            assert len(set(prompts_for(kind, "DatasetA", "product", lang, "diverse"))) >= 3
            narrow = {tuple(prompts_for(kind, d, dt, lang, "narrow"))
                      for d in ("A", "B", "C") for dt in ("product", "review")}
            assert len(narrow) == 1 and len(next(iter(narrow))) == 1
    # per-dataset wording: some datasets word the same kind differently
    sets = {tuple(prompts_for("ner", f"Data{i}", "product", "en", "diverse")) for i in range(8)}
    assert len(sets) > 1
    used = {split_prompt(_render(TemplateVariant(), choice=c))["prompt"] for c in range(12)}
    assert len(used) >= 3
    assert len({split_prompt(_render(TemplateVariant(template="narrow"), choice=c))["prompt"] for c in range(12)}) == 1


def test_fixed_prompt_is_the_datasets_first_wording():
    fixed = split_prompt(_render(EVAL_VARIANT, choice=None))["prompt"]
    assert fixed == prompts_for("coarse_classify", "Src", "product", "en", "diverse")[0]


def test_every_kind_function_handles_missing_labels():
    bare = {k: RawRecord("r", "S", k, "en", "some text") for k in ("product", "review", "query", "dialogue")}
    bare["qa"] = RawRecord("r", "S", "qa", "en", "ctx", labels={})
    for kind, fn in KIND_FUNCS.items():
        for rec in bare.values():
            assert fn(rec, ctx()) is None, kind


def test_half_the_negatives_are_hard_ones():
    """Similar labels and labels the input names come first (old: negatives uniformly at random)."""
    from ecomlib.instruct.negatives import sample_negatives

    pool = sorted({"Face Mask", "Face Cream", "Wallet", "Tent", "Mug", "Kettle", "Honey", "Puzzle", "Nuts"} - {"Face Cream"})
    for seed in range(20):
        negs = sample_negatives(pool, ["Face Cream"], "Title: Lovo Face Cream with Free Wallet", 4, random.Random(seed))
        assert negs[:2] == ["Wallet", "Face Mask"] or negs[:2] == ["Face Mask", "Wallet"]
        assert len(set(negs)) == 4 and "Face Cream" not in negs


def test_ner_keeps_short_candidate_lists():
    """Each NER negative is a 'Type: None' line to write: at most NER_MAX_NEGATIVES whatever n_negative is."""
    from ecomlib.instruct.negatives import NER_MAX_NEGATIVES

    inst = Instance("Acme red mug", {"brand": ["Acme"]}, "p", gold=("brand",))
    universe = {"brand", "color", "size", "material", "style", "model", "product"}
    c = candidates_for(inst, "NER", universe, 9, 12, random.Random(0))
    assert "brand" in c and len(c) == 1 + NER_MAX_NEGATIVES
    assert len(candidates_for(Instance("x", ["a"], "p", gold=("a",)), "CLS", universe | {"a"}, 9, 12, random.Random(0))) == 8
