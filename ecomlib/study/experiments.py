"""The paper's experiments as tables of rows: the plan's declarations (``ecomlib.study.plan``) run through
the results table (``ecomlib.study.results``).

``run(profile, "cot_overall")`` trains and scores the experiment's arms (cached stages: a second call reads
the cache) and returns one row of summary numbers per row of the experiment (label, group, size, seed,
selection, the summary keys, train_tokens, model_dir): what notebooks 04-08 tabulate and ``ecomlib study
--experiment`` prints.

Imports: ``ecomlib.study.plan`` and ``ecomlib.study.results``.
"""

from __future__ import annotations

from typing import Any

from ecomlib.config import Profile
from ecomlib.study.plan import EXPERIMENTS, study_plan
from ecomlib.study import results

NAMES = tuple(EXPERIMENTS)


def run(profile: Profile, name: str, progress: bool = True) -> list[dict[str, Any]]:
    """Train and score every row of experiment ``name`` (cached); one row of summary numbers per row. The lr
    sweep is scored on the held-in split only (hyperparameter choice never looks at held-out scores)."""
    plan = study_plan(profile).only(name)
    return results.experiment_rows(results.run_plan(plan, progress=progress), plan, plan.experiments[name])
