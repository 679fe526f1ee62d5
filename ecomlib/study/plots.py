"""Small plotting helpers the study notebooks share, so every figure reads the same way: score bars start
at zero and carry their intervals, a trivial baseline is a labelled dashed line, heatmaps share one
colour scale and keep their numbers readable, and nothing is cut off at the edges."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

TRIVIAL = "best trivial predictor"


def bars_with_intervals(ax: Any, df: pd.DataFrame, x: str, y: str, lo: str, hi: str, hue: str | None = None,
                        from_zero: bool = True) -> list[Any]:
    """Bars of ``y`` per ``x`` (grouped by ``hue``), error bars from the interval columns ``lo``..``hi``.

    Scores (Rouge, F1) are compared by bar length, so the y-axis starts at 0 unless ``from_zero=False`` (then matplotlib's own limits stay).
    """
    missing = [c for c in (x, y, lo, hi, hue) if c is not None and c not in df.columns]
    if missing:
        raise KeyError(f"bars_with_intervals: columns {missing} not in {list(df.columns)}")
    xs = list(dict.fromkeys(df[x]))
    groups = list(dict.fromkeys(df[hue])) if hue else [None]
    width = 0.8 / len(groups)
    containers = []
    for k, g in enumerate(groups):
        part = df if g is None else df[df[hue] == g]
        part = part.set_index(x).reindex(xs)
        pos = np.arange(len(xs)) - 0.4 + width * (k + 0.5)
        err = np.vstack([part[y] - part[lo], part[hi] - part[y]]).clip(min=0)
        containers.append(ax.bar(pos, part[y], width, yerr=err, capsize=3, label=None if g is None else str(g)))
    ax.set_xticks(np.arange(len(xs)), [str(v) for v in xs])
    ax.set_ylabel(y)
    if from_zero:
        ax.set_ylim(bottom=0)
    if hue:
        ax.legend(title=hue)
    return containers


def trivial_line(ax: Any, value: float, label: str = TRIVIAL) -> Any:
    """A dashed horizontal line at ``value``, named in the legend (refreshed to include it)."""
    line = ax.axhline(value, linestyle="--", color="0.35", linewidth=1.2, label=label, zorder=3)
    ax.legend()
    return line


def _is_dark(rgba: tuple[float, ...]) -> bool:
    r, g, b = rgba[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5  # relative luminance


def heatmap(ax: Any, df: pd.DataFrame, vmin: float, vmax: float, cmap: str = "viridis", fmt: str = "{:.1f}") -> Any:
    """``df`` as a heatmap on the colour scale ``vmin``..``vmax`` (pass the same pair to every panel that is
    compared), each cell annotated in white on dark cells and black on light ones; NaN shows as an en dash.
    Returns the image, for ``fig.colorbar``."""
    import matplotlib as mpl

    values = df.to_numpy(dtype=float)
    im = ax.imshow(values, vmin=vmin, vmax=vmax, cmap=cmap, aspect="auto")
    colours = mpl.colormaps[cmap](mpl.colors.Normalize(vmin=vmin, vmax=vmax)(values))
    for (i, j), v in np.ndenumerate(values):
        text = "–" if np.isnan(v) else fmt.format(v)
        colour = "black" if np.isnan(v) or not _is_dark(tuple(colours[i, j])) else "white"
        ax.text(j, i, text, ha="center", va="center", color=colour, fontsize=9)
    ax.set_xticks(range(values.shape[1]), [str(c) for c in df.columns])
    ax.set_yticks(range(values.shape[0]), [str(r) for r in df.index])
    return im


def finish(fig: Any) -> Any:
    """Lay the figure out so no tick label, title or legend is cut off (Study.save_figure also crops tight)."""
    try:
        fig.set_layout_engine("constrained")
    except RuntimeError:  # a colorbar made under another engine: fall back to one tight pass
        fig.tight_layout()
    return fig
