"""EcomInstruct: the task registry, Chain-of-Task derivation, six-part instructions and the builder.

Modules: ``kinds`` (record -> instance, one function per task kind), ``cot`` (derivation strategies),
``tasks`` (the registry), ``templates`` (six-part prompts and their variants), ``render`` (candidates,
outputs, rows), ``builder`` (streaming build + split checks), ``dataset`` (write/read a build),
``select`` (ablation subsets), ``pretrain_text`` (the profile's pretraining text), ``export`` (chat /
prompt-completion JSONL). Its shell verbs (``build-data``, ``export``) are in ``ecomlib.commands``.
"""

from ecomlib.instruct.builder import build
from ecomlib.instruct.dataset import load_rows
from ecomlib.instruct.select import Selection, select
from ecomlib.instruct.tasks import TaskSpec, task_registry

__all__ = ["build", "Selection", "select", "load_rows", "task_registry", "TaskSpec"]
