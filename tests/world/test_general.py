"""General instructions: the copy-the-input baseline reads the input back from a rendered prompt."""

import pytest


def test_prompt_input_inverts_render_prompt():
    from ecomlib.world.general import prompt_input, render_prompt

    assert prompt_input(render_prompt("Repeat the input exactly.", "cloud river", "en")) == "cloud river"
    assert prompt_input(render_prompt("请原样重复输入内容。", "森林、黄色", "zh")) == "森林、黄色"
    with pytest.raises(ValueError, match="no input line"):
        prompt_input("Instruction: x\nOther: y\n")
