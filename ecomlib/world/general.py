"""General (non-e-commerce) instructions: the stand-in for BLOOMZ's xP3 multitask mixture.

Procedural tasks with exactly computable answers, in English and Chinese. Each task type yields
``cfg.general_per_task`` rows per language; rows interleave task types so any prefix is a mixture.
"""

from __future__ import annotations

import random
from typing import Callable, Iterator

from ecomlib.config import WorldConfig
from ecomlib.schema import PROMPT_END
from ecomlib.seeding import stable_seed

WORDS = {
    "en": ["apple", "river", "stone", "cloud", "music", "garden", "window", "planet", "bread", "candle", "forest",
           "mirror", "ocean", "pencil", "rocket", "silver", "tiger", "violet", "winter", "yellow"],
    "zh": ["苹果", "河流", "石头", "云朵", "音乐", "花园", "窗户", "星球", "面包", "蜡烛", "森林", "镜子", "海洋",
           "铅笔", "火箭", "白银", "老虎", "紫色", "冬天", "黄色"],
}
# task -> lang -> instruction
INSTRUCTIONS = {
    "copy": {"en": "Repeat the input exactly.", "zh": "请原样重复输入内容。"},
    "reverse_words": {"en": "Write the words of the input in reverse order.", "zh": "请把输入中的词语按相反顺序写出。"},
    "count_words": {"en": "How many words are in the input? Answer with a number.", "zh": "输入中有多少个词语？请用数字回答。"},
    "sort_words": {"en": "Sort the words of the input alphabetically.", "zh": "请把输入中的词语按拼音字母顺序排序。"},
    "add": {"en": "Add the two numbers.", "zh": "请计算两个数的和。"},
    "subtract": {"en": "Subtract the second number from the first.", "zh": "请用第一个数减去第二个数。"},
    "multiply": {"en": "Multiply the two numbers.", "zh": "请计算两个数的乘积。"},
    "first_word": {"en": "What is the first word of the input?", "zh": "输入的第一个词语是什么？"},
    "last_word": {"en": "What is the last word of the input?", "zh": "输入的最后一个词语是什么？"},
    "remove_word": {"en": "Remove every occurrence of the word \"{w}\" from the input.", "zh": "请删除输入中所有的“{w}”。"},
    "replace_word": {"en": "Replace the word \"{w}\" with \"{r}\" in the input.", "zh": "请把输入中的“{w}”替换为“{r}”。"},
    "uppercase": {"en": "Rewrite the input in upper case.", "zh": "请把输入中的英文字母改为大写。"},
}
TASKS = tuple(INSTRUCTIONS)
# Chinese sorts by the words' pinyin-free stand-in: their position in the English list (a fixed order).
_ZH_ORDER = {zh: en for en, zh in zip(WORDS["en"], WORDS["zh"])}


def _words(rng: random.Random, lang: str, lo: int = 3, hi: int = 7) -> list[str]:
    return [rng.choice(WORDS[lang]) for _ in range(rng.randint(lo, hi))]


def make(task: str, lang: str, rng: random.Random) -> tuple[str, str, str]:
    """(instruction, input, output) of one instance."""
    sep = " " if lang == "en" else "、"
    instr = INSTRUCTIONS[task][lang]
    if task in ("add", "subtract", "multiply"):
        a, b = rng.randint(0, 99), rng.randint(0, 99)
        out = {"add": a + b, "subtract": a - b, "multiply": a * b}[task]
        return instr, f"{a} {b}", str(out)
    if task == "uppercase":
        ws = _words(rng, "en")
        return instr, " ".join(ws), " ".join(ws).upper()
    ws = _words(rng, lang)
    inp = sep.join(ws)
    if task == "copy":
        return instr, inp, inp
    if task == "reverse_words":
        return instr, inp, sep.join(reversed(ws))
    if task == "count_words":
        return instr, inp, str(len(ws))
    if task == "sort_words":
        key: Callable[[str], str] = (lambda w: w) if lang == "en" else (lambda w: _ZH_ORDER[w])
        return instr, inp, sep.join(sorted(ws, key=key))
    if task == "first_word":
        return instr, inp, ws[0]
    if task == "last_word":
        return instr, inp, ws[-1]
    w = rng.choice(ws)
    if task == "remove_word":
        return instr.format(w=w), inp, sep.join(x for x in ws if x != w)
    r = rng.choice([x for x in WORDS[lang] if x != w])
    return instr.format(w=w, r=r), inp, sep.join(r if x == w else x for x in ws)


def render_prompt(instruction: str, inp: str, lang: str) -> str:
    head = ("Instruction: ", "Input: ") if lang == "en" else ("指令：", "输入：")
    return f"{head[0]}{instruction}\n{head[1]}{inp}\n{PROMPT_END}"


def prompt_input(prompt: str) -> str:
    """The input line of a prompt ``render_prompt`` made (what a copy-the-input baseline answers)."""
    line = prompt.split("\n")[1]
    for head in ("Input: ", "输入："):
        if line.startswith(head):
            return line[len(head):]
    raise ValueError(f"not a general-instruction prompt (no input line): {prompt[:80]!r}")


def iter_general_instructions(cfg: WorldConfig, seed: int) -> Iterator[dict]:
    """Rows {"task", "lang", "prompt", "output"}; ``general_per_task`` per task type and language."""
    rng = random.Random(stable_seed("general", seed))
    for _ in range(cfg.general_per_task):
        for task in TASKS:
            for lang in ("en", "zh"):
                instr, inp, out = make(task, lang, rng)
                yield {"task": task, "lang": lang, "prompt": render_prompt(instr, inp, lang), "output": out}
