import math

import pandas as pd
import pytest

from ecomlib.config import load_profile
from ecomlib.study import tables as T


def _row(size, label, en, zh, both):
    return {"size": size, "label": label, "UD_rougeL_EN": en, "UD_rougeL_ZH": zh, "UD_rougeL": both}


def test_cross_language_table_deltas():
    rows = [_row("xs", "EN", 10.0, 2.0, 4.67), _row("xs", "EN+ZH", 12.0, 9.0, 10.0), _row("xs", "ZH", 5.0, 8.0, 7.0)]
    t = T.cross_language_table(rows, {"xs": "560m"}).set_index("Train")
    assert list(t.index) == ["EN", "+ZH Δ", "EN+ZH", "+EN Δ", "ZH"]
    assert t.loc["+ZH Δ", "test EN"] == 2.0 and t.loc["+EN Δ", "test ZH"] == 1.0
    assert t.loc["EN", "paper size"] == "560m"
    with pytest.raises(ValueError):
        T.cross_language_table(rows[:2])


def test_beside_paper_matches_renamed_labels_and_sizes():
    t5 = pd.DataFrame({"label": ["Full", "w/o pseudo-label CoT", "w/o pseudo- and gold-label CoT"],
                       "UD_miF1": [1.0, 2.0, 3.0], "UD_maF1": [1.0, 2.0, 3.0], "UD_rougeL": [4.0, 5.0, 6.0]})
    v = T.beside_paper("table5_cot_overall", t5)
    assert v["Rouge-L (paper)"].notna().all() and v["Rouge-L (paper)"].iloc[0] == 59.2
    t9 = T.cross_paradigm_table(
        [{"size": "xs", "label": "Full", "UD_rougeL_CLS": 1, "UD_rougeL_EXT": 2, "UD_rougeL_OTHER": 3, "UD_rougeL": 2}],
        {"xs": "560m"})
    v9 = T.beside_paper("table9_cross_paradigm", t9)
    assert v9["ALL (paper)"].iloc[0] == 48.88


def test_paper_size_map_by_rank():
    m = T.paper_size_map(load_profile("smoke"))
    assert list(m.values())[:2] == ["560m", "1b7"]


def test_change_vs_full():
    df = pd.DataFrame({"size": ["a", "a"], "Training": ["Full", "w/o X"], "CLS": [10.0, 7.5]})
    assert T.change_vs_full(df, ["CLS"])["CLS"].tolist() == [-2.5]


def test_table4_markdown_has_the_papers_layout_first_and_the_rest_second(tmp_path):
    """#24: table4_main.md had 26 columns in one table."""
    from ecomlib.study.notebook import Study

    cols = ["Model", "family", "size", "n_seeds", *T.TABLE4_LAYOUT[1:], *(f"{c} (corrected)" for c in T.TABLE4_LAYOUT[1:]),
            "UD Rouge sd"]
    df = pd.DataFrame([[f"m{i}" if c == "Model" else 1.0 for c in cols] for i in range(2)], columns=cols)
    S = Study(profile=load_profile("smoke"), results=tmp_path, progress=False)
    S.save_table(df, "table4_main")
    md = (tmp_path / "tables" / "table4_main.md").read_text()
    first, second = md.split("\nThe other columns, by Model:\n\n")
    assert first.splitlines()[0] == "| " + " | ".join(T.TABLE4_LAYOUT) + " |"
    assert second.splitlines()[0].startswith("| Model | family | size | n_seeds | UD miF1 (corrected) |")
    assert second.splitlines()[0].endswith("| UD Rouge sd |") and len(second.splitlines()) == 4
    assert list(pd.read_csv(tmp_path / "tables" / "table4_main.csv").columns) == cols  # the CSV stays whole
    S.save_table(df[["Model", "family"]], "other")
    assert "The other columns" not in (tmp_path / "tables" / "other.md").read_text()


def test_cross_language_table_carries_the_seed_sd_of_its_means():
    """#24: cross_language.png says "mean of 3 seeds" with no error bars; its table had no sd column."""
    rows = []
    for seed, bump in ((0, 0.0), (1, 2.0)):
        rows += [{**_row("xs", lab, en + bump, zh, both), "seed": seed}
                 for lab, en, zh, both in (("EN", 10.0, 2.0, 6.0), ("EN+ZH", 12.0, 9.0, 10.0), ("ZH", 5.0, 8.0, 7.0))]
    means = T.seed_means(rows, by=("label", "size"), spread=T.CROSS_LANGUAGE_SPREAD)
    t = T.cross_language_table(means, sd=True).set_index("Train")
    assert t.loc["EN", "test EN"] == 11.0 and t.loc["EN", "test EN sd"] == round(2 ** 0.5, 2)
    assert t.loc["EN", "test ZH sd"] == 0.0 and math.isnan(t.loc["+ZH Δ", "test EN sd"])
    assert "test EN sd" not in T.cross_language_table(means).columns  # the displayed table is unchanged


def _aggregate_seeds(rows, keys, by):
    """The deleted pandas aggregator of Tables 5 and 11, verbatim (seed_frame replaces it)."""
    df = pd.DataFrame(rows)
    by = [b for b in by if b in df.columns]
    g = df.groupby(by, sort=False)[list(keys)]
    mean, std, n = g.mean().round(2), g.std(ddof=1).round(2), g.size().rename("n_seeds")
    return mean.join(std, rsuffix="_sd").join(n).reset_index()


@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
@pytest.mark.parametrize("n_seeds", [1, 3])  # the profiles' seed counts (smoke/paper: 1, cpu/gpu: 3)
def test_seed_frame_is_the_old_aggregator_on_the_profiles_seed_counts(n_seeds):
    import random

    rng = random.Random(n_seeds)
    keys = ["UD_miF1", "UD_rougeL"]
    for _ in range(200):
        rows = [{"group": g, "label": lab, **{k: round(rng.uniform(0, 100), 2) for k in keys}}
                for _ in range(n_seeds) for g, lab in (("A", "Full"), ("A", "w/o X"), ("B", "Narrow"))]
        old = _aggregate_seeds(rows, keys, ("group", "label")).to_csv(index=False)
        assert T.seed_frame(rows, keys, ("group", "label")).to_csv(index=False) == old
