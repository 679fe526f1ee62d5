"""The notebooks' plot helpers (Agg backend, tiny figures)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from ecomlib.study import plots  # noqa: E402

DF = pd.DataFrame({"variant": ["Full", "w/o CoT", "Full", "w/o CoT"], "seed": ["a", "a", "b", "b"],
                   "rouge": [12.0, 10.0, 13.0, 9.0], "lo": [11.0, 8.5, 12.0, 8.0], "hi": [13.5, 11.0, 14.0, 10.0]})


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_bars_carry_their_intervals_and_start_at_zero(ax):
    single = DF[DF.seed == "a"]
    (bars,) = plots.bars_with_intervals(ax, single, "variant", "rouge", "lo", "hi")
    assert [b.get_height() for b in bars] == [12.0, 10.0]
    caps = bars.errorbar.lines[1]  # the cap markers sit at lo and hi
    ys = sorted(y for cap in caps for y in cap.get_ydata())
    assert ys == [8.5, 11.0, 11.0, 13.5]
    assert ax.get_ylim()[0] == 0
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Full", "w/o CoT"]


def test_hue_groups_bars_side_by_side(ax):
    containers = plots.bars_with_intervals(ax, DF, "variant", "rouge", "lo", "hi", hue="seed")
    assert len(containers) == 2
    xa = [b.get_x() for b in containers[0]]
    xb = [b.get_x() for b in containers[1]]
    assert all(a < b for a, b in zip(xa, xb))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_missing_column_is_named(ax):
    with pytest.raises(KeyError, match="'upper'"):
        plots.bars_with_intervals(ax, DF, "variant", "rouge", "lo", "upper")


def test_trivial_line_is_dashed_and_in_the_legend(ax):
    ax.bar([0, 1], [3, 4], label="ours")
    line = plots.trivial_line(ax, 2.5)
    assert line.get_linestyle() == "--" and list(line.get_ydata()) == [2.5, 2.5]
    assert "best trivial predictor" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_heatmap_shares_the_scale_and_keeps_numbers_readable():
    df = pd.DataFrame([[0.0, 50.0], [100.0, np.nan]], index=["CLS", "EXT"], columns=["CLS", "EXT"])
    fig, (a, b) = plt.subplots(1, 2)
    ims = [plots.heatmap(a, df, 0, 100, "viridis"), plots.heatmap(b, df / 2, 0, 100, "viridis")]
    assert all(im.get_clim() == (0, 100) for im in ims)  # one colour scale for both panels
    colours = {t.get_text(): t.get_color() for t in a.texts}
    assert colours["0.0"] == "white"  # viridis is dark at the bottom
    assert colours["100.0"] == "black"  # and light at the top
    assert colours["–"] == "black"
    assert [t.get_text() for t in a.get_yticklabels()] == ["CLS", "EXT"]
    plt.close(fig)


def test_finish_keeps_long_labels_inside_the_figure():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_xticks([0, 1], ["w/o task information", "without output constraint"], rotation=30)
    ax.set_ylabel("unseen-dataset Rouge-L")
    plots.finish(fig)
    fig.canvas.draw()
    box = ax.get_tightbbox(fig.canvas.get_renderer())
    fw, fh = fig.bbox.width, fig.bbox.height
    assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= fw + 1 and box.y1 <= fh + 1
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"
    plt.close(fig)


def test_a_reference_line_beyond_the_data_widens_the_axis(ax):
    """#24: cot_ablation named a trivial line at 32.81 in its legend on an x-axis that stopped near 9."""
    ax.barh([0, 1], [8.0, 9.0])
    plots.trivial_line(ax, 32.81, vertical=True)
    assert plots.figure_problems(ax.figure) == []
    assert ax.get_xlim()[1] > 32.81


def test_figure_problems_names_a_line_outside_the_axes_and_a_legend_over_data():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(range(5), [9, 9, 9, 9, 9], label="ours")
    ax.set_ylim(0, 10)
    ax.axhline(32.81, linestyle="--", label="best trivial")
    ax.legend(loc="center")  # over the bars
    problems = plots.figure_problems(fig)
    plt.close(fig)
    assert any("reference line 'best trivial' at 32.81 is outside" in p for p in problems), problems
    assert any(p.startswith("the legend (best trivial, ours) covers data of axes 0") for p in problems), problems


def test_legends_from_the_helpers_stay_off_the_data():
    fig, axes = plt.subplots(1, 2, figsize=(6, 2.5))
    plots.bars_with_intervals(axes[0], DF, "variant", "rouge", "lo", "hi", hue="seed")
    axes[1].errorbar([1, 2, 3], [5.0, 9.0, 13.0], yerr=[1, 1, 1], marker="o", label="ours")
    plots.trivial_line(axes[1], 20.0)
    plots.finish(fig)
    assert plots.figure_problems(fig) == []
    plt.close(fig)


def test_save_figure_refuses_a_figure_that_hides_data(tmp_path):
    from ecomlib.config import load_profile
    from ecomlib.study.notebook import Study

    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2], "o", label="ours")
    ax.axvline(50, label="trivial")
    ax.set_xlim(0, 3)  # limits set after the line (as cot_ablation's were)
    S = Study(profile=load_profile("smoke"), results=tmp_path, progress=False)
    with pytest.raises(ValueError, match="figure 'x' hides data: axes 0: reference line 'trivial' at 50"):
        S.save_figure(fig, "x")
    assert not (tmp_path / "figures" / "x.png").exists()
