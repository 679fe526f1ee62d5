"""What every study notebook does first and last: resolve its profile, then save tables and figures.

Tables are written as CSV and Markdown, figures as PNG, under ``results/<profile>/`` (or
``$ECOMLIB_RESULTS_DIR``); stages are cached under ``.work/<profile>/`` (or ``$ECOMLIB_WORK_DIR``).
"""

from __future__ import annotations

import ast
import base64
import dataclasses
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ecomlib.config import REPO_ROOT, Profile, from_notebook
from ecomlib.errors import ConfigError
from ecomlib.io import atomic_write_bytes, atomic_write_text
from ecomlib.study.plots import figure_problems
from ecomlib.study.runs import results_dir
from ecomlib.study.tables import MARKDOWN_LAYOUT


def to_markdown(df: pd.DataFrame) -> str:
    """A GitHub-style table, floats with two decimals, missing values as an en dash."""

    def cell(v: Any) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return "–"
        return f"{v:.2f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def split_markdown(df: pd.DataFrame, first: tuple[str, ...] | None) -> str:
    """``to_markdown(df)``, or the ``first`` columns (those present) as a table, then the rest beside the key."""
    head = [c for c in (first or ()) if c in df.columns]
    rest = [c for c in df.columns if c not in head]
    if len(head) < 2 or not rest:
        return to_markdown(df)
    return (to_markdown(df[head]) + f"\nThe other columns, by {head[0]}:\n\n"
            + to_markdown(df[[head[0], *rest]]))


@dataclass
class Study:
    profile: Profile
    results: Path
    progress: bool

    @property
    def tables(self) -> Path:
        return self.results / "tables"

    @property
    def figures(self) -> Path:
        return self.results / "figures"

    def save_table(self, df: pd.DataFrame, name: str, first: tuple[str, ...] | None = None) -> pd.DataFrame:
        """CSV with every column; Markdown with ``first`` (default ``tables.MARKDOWN_LAYOUT[name]``, e.g. the
        paper's Table 4 layout) as one table and the other columns, keyed by the same first column, as a second."""
        atomic_write_text(self.tables / f"{name}.csv", df.to_csv(index=False))
        atomic_write_text(self.tables / f"{name}.md", split_markdown(df, first or MARKDOWN_LAYOUT.get(name)))
        return df

    def load_table(self, name: str) -> pd.DataFrame | None:
        path = self.tables / f"{name}.csv"
        return pd.read_csv(path) if path.is_file() else None

    def save_figure(self, fig: Any, name: str) -> Path:
        """Write ``figures/<name>.png`` and embed the same PNG in the running notebook, once. A figure that
        hides what it claims (a reference line outside its axes, a legend over data) is refused."""
        problems = figure_problems(fig)
        if problems:
            raise ValueError(f"figure {name!r} hides data: " + "; ".join(problems))
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=120, bbox_inches="tight", metadata={"Software": None})
        path = atomic_write_bytes(self.figures / f"{name}.png", buf.getvalue())
        show_png(buf.getvalue(), alt=figure_alt(fig, name))
        import matplotlib.pyplot as plt

        plt.close(fig)  # an inline backend would otherwise show it a second time at the end of the cell
        return path


def figure_alt(fig: Any, name: str) -> str:
    """The alt text of a saved figure: its name and titles (a screen reader's, and the HTML's, description)."""
    sup = getattr(fig, "_suptitle", None)
    titles = [sup.get_text()] if sup is not None and sup.get_text() else []
    titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
    return f"figure {name}" + (": " + "; ".join(titles) if titles else "")


def show_png(png: bytes, alt: str = "figure") -> bool:
    """Embed a PNG as a cell output when running in a Jupyter kernel; False elsewhere.

    The notebooks run with MPLBACKEND=Agg (papermill, nbval), so ``plt.show()`` embeds nothing; the
    figure is published explicitly. Only ``image/png`` is sent: nbval skips comparing images, so the
    stored smoke outputs stay valid (a ``text/plain`` fallback would be compared and differ).
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return False
    from IPython.display import display

    display({"image/png": base64.b64encode(png).decode("ascii")}, raw=True, metadata={"image/png": {"alt": alt}})
    return True


PAPERMILL_CELL = "# Parameters\n"  # how papermill's Python translator opens the cell it injects


def _injected_parameter_names() -> list[str]:
    """Names assigned in the cell papermill injected into this kernel (none outside papermill).

    papermill adds a ``-p``/``-y``/``-f`` parameter the notebook does not declare as a plain variable
    (and only logs a warning), so a typo such as ``trian`` would run the unchanged profile. The kernel's
    input history holds the injected cell's source; the latest one counts.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    history = getattr(shell, "user_ns", {}).get("In", []) if shell is not None else []
    cells = [c for c in history if isinstance(c, str) and c.startswith(PAPERMILL_CELL)]
    if not cells:
        return []
    try:
        tree = ast.parse(cells[-1])
    except SyntaxError:
        return []
    return [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)]


def _refuse_unknown_parameters(extra: tuple[str, ...] = ()) -> None:
    known = [f.name for f in dataclasses.fields(Profile)] + list(extra)
    # papermill's own --inject-paths variables are not profile keys but are not typos either
    unknown = [n for n in _injected_parameter_names() if n not in known and not n.startswith("PAPERMILL_")]
    if unknown:
        names = ", ".join(repr(n) for n in unknown)
        raise ConfigError(f"papermill parameter {names}: not a parameter of this notebook (a typo?); "
                          f"expected one of: {', '.join(known)}")


MISSING = "–"  # as to_markdown and tables.with_missing show an empty cell
MAX_ROWS = 500  # a table up to this long shows whole (pandas cut 09's main table: "12 rows × 26 columns", "...")


def frame_html(df: pd.DataFrame) -> str | None:
    """``DataFrame._repr_html_`` with empty cells as "–": a single seed has no sd, which is no "NaN"."""
    from pandas import get_option
    from pandas.io.formats import format as fmt

    if df._info_repr() or not get_option("display.notebook_repr_html"):
        return df._repr_html_()
    formatter = fmt.DataFrameFormatter(
        df, na_rep=MISSING, float_format=get_option("display.float_format"), bold_rows=True, escape=True,
        index_names=True, header=True, index=True, max_rows=get_option("display.max_rows"),
        min_rows=get_option("display.min_rows"), max_cols=get_option("display.max_columns"),
        show_dimensions=get_option("display.show_dimensions"), decimal=".")
    return fmt.DataFrameRenderer(formatter).to_html(notebook=True)


def set_display() -> None:
    """Whole tables (every column, up to MAX_ROWS rows) and "–" for empty cells in this kernel's HTML."""
    pd.set_option("display.max_columns", None)
    pd.set_option("display.max_rows", MAX_ROWS)
    try:
        from IPython import get_ipython
    except ImportError:
        return
    formatter = getattr(get_ipython(), "display_formatter", None)  # None outside a kernel (and in stand-ins)
    if formatter is not None:
        formatter.formatters["text/html"].for_type(pd.DataFrame, frame_html)


def start(name: str = "smoke", *, extra_parameters: tuple[str, ...] = (), **sections: Any) -> Study:
    """Resolve the notebook's profile from its papermill parameters and point the cache at it.
    ``extra_parameters``: the notebook's own parameters besides the profile's keys (not typos)."""
    _refuse_unknown_parameters(tuple(extra_parameters))
    set_display()
    profile = from_notebook(name, **sections)
    tag = profile.name + ("-open" if profile.data.world == "open" else "")
    os.environ.setdefault("ECOMLIB_WORK_DIR", str(REPO_ROOT / ".work" / tag))
    results = results_dir(tag)
    # Progress bars help on long runs; the smoke profile (tests, nbval) keeps outputs clean.
    return Study(profile=profile, results=results, progress=profile.name != "smoke")
