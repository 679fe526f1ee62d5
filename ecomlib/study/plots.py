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
        legend_outside(ax, title=hue)
    return containers


def legend_outside(ax: Any, x: float = 1.02, **kwargs: Any) -> Any:
    """The axes' legend to the right of its axes (``x`` in axes widths; more beside a twin y-axis), where it
    cannot cover a bar or a point (#24: legends covered a bar of cot_ablation, a point of scaling, a paper
    bar of prompt_ablation)."""
    kwargs.setdefault("fontsize", 8)
    return ax.legend(loc="upper left", bbox_to_anchor=(x, 1.0), borderaxespad=0.0, **kwargs)


def reference_line(ax: Any, value: float, label: str, vertical: bool = False, **kwargs: Any) -> Any:
    """A dashed reference line at ``value`` (horizontal, or ``vertical``), with the axis widened to show it:
    a line named in the legend but outside the limits is not drawn (cot_ablation's trivial line at 32.8
    on an axis that stopped near 9)."""
    style = {"linestyle": "--", "color": "0.35", "linewidth": 1.2, "zorder": 3, **kwargs}
    line = (ax.axvline if vertical else ax.axhline)(value, label=label, **style)
    lo, hi = ax.get_xlim() if vertical else ax.get_ylim()
    if not lo < value < hi:
        pad = 0.05 * (max(hi, value) - min(lo, value) or 1.0)
        limits = (min(lo, value - pad), max(hi, value + pad))
        (ax.set_xlim if vertical else ax.set_ylim)(*limits)
    return line


def trivial_line(ax: Any, value: float, label: str = TRIVIAL, vertical: bool = False, **kwargs: Any) -> Any:
    """A dashed line at ``value``, inside the axes, named in the legend (refreshed, outside the axes)."""
    line = reference_line(ax, value, label, vertical=vertical, **kwargs)
    legend_outside(ax)
    return line


# ---------------------------------------------------------------------------------------------------
# What a saved figure must not do (Study.save_figure checks every figure; the smoke notebooks run it).

def _reference_lines(ax: Any) -> list[tuple[Any, bool]]:
    """(line, vertical) for each axhline / axvline of ``ax`` (drawn in a blended axes/data transform)."""
    out = []
    for line in ax.get_lines():
        if line.get_transform() is ax.get_yaxis_transform(which="grid"):
            out.append((line, False))
        elif line.get_transform() is ax.get_xaxis_transform(which="grid"):
            out.append((line, True))
    return out


def _data_extents(ax: Any, renderer: Any) -> list[Any]:
    """Display-space boxes of the data an axes shows: bars, points (markers and line vertices), error bars."""
    import matplotlib.patches as mpatches
    from matplotlib.transforms import Bbox

    refs = {id(line) for line, _ in _reference_lines(ax)}
    boxes = [p.get_window_extent(renderer) for p in ax.patches
             if isinstance(p, mpatches.Rectangle) and p.get_visible() and (p.get_width() or p.get_height())]
    for line in ax.get_lines():
        if id(line) in refs or not line.get_visible():
            continue
        xy = line.get_transform().transform(np.column_stack([line.get_xdata(orig=False), line.get_ydata(orig=False)]))
        boxes += [Bbox.from_extents(x, y, x, y) for x, y in xy if np.isfinite(x) and np.isfinite(y)]
    from matplotlib.collections import LineCollection, PathCollection

    points = []
    for coll in ax.collections:
        if isinstance(coll, LineCollection):  # error bars: both ends of each
            points += [coll.get_transform().transform(path.vertices) for path in coll.get_paths()]
        elif isinstance(coll, PathCollection) and len(coll.get_offsets()):  # scatter points
            points.append(coll.get_offset_transform().transform(np.asarray(coll.get_offsets())))
    for xy in points:
        boxes += [Bbox.from_extents(x, y, x, y) for x, y in xy if np.isfinite(x) and np.isfinite(y)]
    return boxes


def figure_problems(fig: Any) -> list[str]:
    """What hides data in ``fig``: a reference line outside its axes' limits (not drawn), a legend over a
    bar, a point or an error bar. Empty when the figure shows what its legends say."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    problems = []
    for i, ax in enumerate(fig.axes):
        for line, vertical in _reference_lines(ax):
            value = float(np.asarray(line.get_xdata() if vertical else line.get_ydata())[0])
            lo, hi = sorted(ax.get_xlim() if vertical else ax.get_ylim())
            if not lo <= value <= hi:
                problems.append(f"axes {i}: reference line {line.get_label()!r} at {value:g} is outside the "
                                f"{'x' if vertical else 'y'} limits {lo:g}..{hi:g} (not drawn)")
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    for leg in legends:
        box = leg.get_window_extent(renderer)
        for i, ax in enumerate(fig.axes):
            if any(box.overlaps(b) for b in _data_extents(ax, renderer)):
                problems.append(f"the legend ({', '.join(t.get_text() for t in leg.get_texts())[:60]}) covers "
                                f"data of axes {i}")
    return problems


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
