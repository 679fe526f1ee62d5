"""One evaluation instance: what every suite yields and every scorer reads (imports nothing of ecomlib).

Each suite's instances carry the same per-instance metadata (task, level, lang, paradigm, task_type), so a
results table can read any suite's scores the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EvalInstance:
    task: str
    index: int  # 0-based row of the task's test file
    prompt: str
    gold: str
    task_type: str
    paradigm: str
    lang: str  # "en" | "zh"
    level: str  # "unseen_dataset" | "unseen_task" | "" (not in the test list)
    label_set: tuple[str, ...] = ()  # candidate labels / NER types shown in the prompt
    text: str = ""  # the input text; NER reference scoring tags spans found in it
    meta: dict = field(default_factory=dict, compare=False, hash=False)
