"""Prompt layouts (data.layout): one rendering function per layout for training rows, held-out rows and
the published suite, so a model is evaluated on prompts laid out exactly as the ones it trained on."""

import json

import pytest
from hypothesis import given, settings, strategies as st

from ecomlib.config import load_profile
from ecomlib.errors import ConfigError
from ecomlib.evaluation import load_suite
from ecomlib.sources.published_eval import find_ecomgpt_tasks
from ecomlib.instruct.templates import TemplateVariant, render, render_published, resolve_layout, split_prompt
from ecomlib.schema import PROMPT_END, RESPONSE_MARKER
from ecomlib.training.data import encode_instructions

from tests.evaluation.conftest import ECOMGPT_FIXTURE

ROW = ("item_align", "ShopA", "product", "en", "Item 1: red mug\nItem 2: red cup", ["same", "not same"])


def test_layout_defaults_and_validation():
    assert resolve_layout(load_profile("smoke").data) == "ours"  # committed synthetic results: unchanged
    assert resolve_layout(load_profile("cpu").data) == "ours"
    assert resolve_layout(load_profile("paper").data) == "published"
    assert resolve_layout(load_profile("smoke", ["data.world=open"]).data) == "published"  # any profile
    assert resolve_layout(load_profile("smoke", ["data.world=open", "data.layout=ours"]).data) == "ours"
    with pytest.raises(ConfigError, match="data.layout"):
        load_profile("smoke", ["data.layout=alpaca"])


def test_published_layout_reproduces_the_published_suite_prompts_byte_for_byte():
    """Every published folder whose instruction is '### Instruction:\\n{sentences}\\n<request> \\n### Response:'
    is rendered, to the byte, by the function that renders our training rows in that layout."""
    checked = 0
    for name, folder in sorted(find_ecomgpt_tasks(ECOMGPT_FIXTURE).items()):
        meta = json.loads((folder / "meta-info.json").read_text(encoding="utf-8"))
        instruction = meta["test_prompt"]["instruction"]
        if not (instruction.startswith("### Instruction:\n{sentences}\n") and instruction.endswith(" \n### Response:")):
            continue
        for inst in load_suite("ecomgpt", ECOMGPT_FIXTURE, tasks=[name]):
            parts = split_prompt(inst.prompt)
            assert parts["input"] == inst.text and parts["task"] == meta["defi"], name
            assert render_published(parts, "en") == inst.prompt, name
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize("layout", ["ours", "published"])
def test_training_and_evaluation_prompts_share_the_layout(layout, tiny_lm):
    _, tok, _ = tiny_lm
    train_variant = TemplateVariant("diverse", "en", True, True, layout)
    kind, dataset, data_type, lang, text, cands = ROW
    train = render(kind, dataset, data_type, lang, text, cands, train_variant, choice=5)
    held = render(kind, dataset, data_type, lang, text, cands, train_variant.for_eval(), None)
    end = {"ours": PROMPT_END, "published": RESPONSE_MARKER}[layout]
    assert train.endswith(end) and held.endswith(end)
    assert held.endswith(PROMPT_END) == (layout == "ours")  # published: no newline after the marker
    # the same parts, one layout: a held-out row's prompt is the training rendering of its own parts
    for prompt in (train, held):
        parts = split_prompt(prompt)
        assert render(kind, dataset, data_type, lang, parts["input"], parts["candidates"].split(", "),
                      train_variant, choice=5 if prompt is train else None) == prompt
    if layout == "published":  # the published suite's prompts have this head and this end too
        suite = load_suite("ecomgpt", ECOMGPT_FIXTURE, tasks=["EN-Lenovo-NER-NER"])[0].prompt
        head = "Below is an instruction that describes the "
        assert held.startswith(head) and suite.startswith(head)
        assert held.endswith(" \n### Response:") and suite.endswith(" \n### Response:")
    # what the model sees at evaluation is, token for token, the prompt it was trained on
    ids, targets = encode_instructions([{"prompt": held, "output": "same"}], tok, max_length=4096)[0]
    n_prompt = next(i for i, t in enumerate(targets) if t != -100) + 1
    assert ids[:n_prompt] == tok(held, add_special_tokens=False)["input_ids"]


def test_published_build_renders_training_and_heldout_rows_in_one_layout(tmp_path):
    from ecomlib.instruct import build

    build(load_profile("smoke", ["data.layout=published", "data.max_per_task=3", "data.heldout_per_task=2"]),
          tmp_path, progress=False)
    for split in ("train", "heldout"):
        rows = [json.loads(x) for x in (tmp_path / "ecominstruct" / f"{split}.jsonl").read_text().splitlines()]
        assert rows and all(r["prompt"].startswith("Below is an instruction that describes ")
                            and r["prompt"].endswith(" \n### Response:") for r in rows), split
        assert all(split_prompt(r["prompt"])["input"] == r["input"] for r in rows), split


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
       st.lists(st.text("abc 中文", min_size=1, max_size=6), max_size=3), st.booleans(), st.sampled_from(["en", "zh"]))
def test_published_prompts_split_back_into_their_parts(text, cands, with_task, lang):
    variant = TemplateVariant("diverse", lang, with_task, True, "published")
    prompt = render("item_align", "ShopA", "product", "en", text, cands, variant, choice=1)
    parts = split_prompt(prompt)
    assert parts["input"] == text and parts.get("candidates", "") == ", ".join(cands)
    assert ("task" in parts) == with_task and parts["constraint"]
