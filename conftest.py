"""Checks on every notebook cell nbval executes (``./scripts/test.sh`` runs the smoke notebooks): a
rendered table must be whole and show empty cells as "–" (#24). Figures are checked where they are
saved (``Study.save_figure``: reference lines inside their axes, no legend over data)."""

from __future__ import annotations

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    outputs = getattr(item, "test_outputs", None)  # nbval's IPyNbCell: what the cell output this run
    if outputs:
        from ecomlib.study.nbclean import table_problems

        problems = table_problems(outputs)
        if problems:
            pytest.fail(f"{item.name}: " + "; ".join(dict.fromkeys(problems)), pytrace=False)
    return result
