"""What a rendered notebook shows: one summary line per stage instead of progress-bar frames, every
saved figure embedded exactly once, readable injected parameters."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from ecomlib import progress
from ecomlib.config import REPO_ROOT, load_profile


def _lines(text: str) -> list[str]:
    """Every frame counts: a bar redraws with carriage returns."""
    return [s for s in text.replace("\r", "\n").split("\n") if s.strip()]


def test_training_in_a_kernel_prints_one_line_and_draws_in_the_terminal(tmp_path, monkeypatch, capfd):
    from ecomlib.training import train_stage, train_tokenizer
    from tests.training.conftest import make_texts

    terminal = io.StringIO()
    monkeypatch.setattr(progress, "kernel_terminal", lambda: terminal)  # what a papermill kernel gets
    texts = make_texts()
    tok = train_tokenizer(texts, 400, 2)
    capfd.readouterr()
    res = train_stage(load_profile("smoke"), "pretrain", tmp_path / "m", tokenizer=tok, texts=texts, progress=True)
    out, err = capfd.readouterr()
    shown = _lines(out) + _lines(err)
    assert len(shown) <= 3, shown
    assert any(line.startswith("train pretrain: ") and f"/{len(res.history)} " in line and "loss=" in line
               for line in shown), shown
    assert len(_lines(terminal.getvalue())) > 1  # the bar itself went to the terminal


def test_outside_a_kernel_a_bar_is_plain_tqdm(capsys):
    assert progress.kernel_terminal() is None
    for _ in progress.tqdm(range(3), desc="x"):
        pass
    assert capsys.readouterr().out == ""  # no summary line: the bar itself is visible


def test_summary_line():
    d = {"n": 5, "total": 8, "elapsed": 2.25, "prefix": "train general", "unit": "it", "postfix": "loss=1.0000"}
    assert progress.summary_line(d) == "train general: 5/8 it in 2.2 s (loss=1.0000)"


def _papermill(nb: str, out_dir, *extra: str) -> dict:
    """Execute a notebook as run_all.sh does (kernel ecomlib, cwd notebooks/, profile file, Agg backend)."""
    env = {**os.environ, "MPLBACKEND": "Agg", "ECOMLIB_RESULTS_DIR": str(out_dir)}
    out = out_dir / nb
    subprocess.run([sys.executable, "-m", "papermill", f"notebooks/{nb}", str(out), "-k", "ecomlib",
                    "--cwd", "notebooks", "-f", "configs/smoke.yaml", "-y", "{data: {world: synthetic}}",
                    "--log-level", "WARNING", *extra], cwd=REPO_ROOT, env=env, check=True, capture_output=True)
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_notebook_01_embeds_its_figure_once_and_renders_wrapped_parameters(tmp_path):
    from ecomlib.study import nbclean

    nb = _papermill("01_build_ecominstruct.ipynb", tmp_path)
    saved = sorted(p.name for p in (tmp_path / "figures").glob("*.png"))
    assert saved == ["01_ecominstruct_stats.png"]
    saving, images = nbclean.count_figures(nb)
    assert saving == 1 and images == 1  # the figure appears exactly once
    nbclean.clean(tmp_path / "01_build_ecominstruct.ipynb")
    cleaned = json.loads((tmp_path / "01_build_ecominstruct.ipynb").read_text())
    injected = next(c for c in cleaned["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    lines = "".join(injected["source"]).splitlines()
    assert max(map(len, lines)) <= nbclean.WIDTH and any(line.startswith("train = {") for line in lines)


def test_wrapped_parameters_stay_equal_python():
    long = {"lr": 0.003, "steps": 120, "schedule": "cosine", "packing": True, "seeds": list(range(12)),
            "note": "x" * 40, "nested": {"a": None, "b": 1e-05}}
    src = f"# Parameters\nname = \"cpu\"\ntrain = {long!r}\n"
    from ecomlib.study.nbclean import WIDTH, wrap_assignments

    wrapped = wrap_assignments(src)
    assert max(map(len, wrapped.splitlines())) <= WIDTH and wrapped.count("\n") > src.count("\n")
    scope: dict = {}
    exec(wrapped, scope)
    assert scope["train"] == long and scope["name"] == "cpu"


def test_progress_frames_collapse_to_what_a_terminal_shows():
    from ecomlib.study.nbclean import collapse_streams

    frames = [{"output_type": "stream", "name": "stderr", "text": f"\rtrain: {i}/3"} for i in range(4)]
    cell = {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stdout", "text": "a\n"}, *frames,
                                             {"output_type": "stream", "name": "stderr", "text": "\n"}]}
    collapse_streams({"cells": [cell]})
    assert [(o["name"], o["text"]) for o in cell["outputs"]] == [("stdout", "a\n"), ("stderr", "train: 3/3\n")]


def test_nbclean_fails_when_saved_figures_are_not_embedded(tmp_path):
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": "S.save_figure(fig, 'x')", "outputs": []}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(nb))
    r = subprocess.run([sys.executable, "-m", "ecomlib.study.nbclean", str(path)], capture_output=True, text=True)
    assert r.returncode == 1 and "no figure" in r.stderr and str(path) in r.stderr


@pytest.mark.parametrize("umask, file_mode, dir_mode", [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)])
def test_outputs_get_normal_permissions(tmp_path, umask, file_mode, dir_mode):
    from ecomlib.io import atomic_dir, atomic_write_jsonl, atomic_write_text

    old = os.umask(umask)
    try:
        text = atomic_write_text(tmp_path / "t.md", "x")
        rows = atomic_write_jsonl(tmp_path / "r.jsonl", [{"a": 1}])
        with atomic_dir(tmp_path / "stage") as d:
            (d / "f").write_text("y")
    finally:
        os.umask(old)
    assert [p.stat().st_mode & 0o777 for p in (text, rows)] == [file_mode, file_mode]
    assert (tmp_path / "stage").stat().st_mode & 0o777 == dir_mode


def test_nbclean_makes_output_paths_repo_relative_and_allows_an_optional_figure(tmp_path):
    """A rendered cpu notebook named absolute paths of the machine that ran it (a returned PosixPath)."""
    import json

    from ecomlib.config import REPO_ROOT
    from ecomlib.study import nbclean

    root = str(REPO_ROOT)
    nb = {"metadata": {}, "nbformat": 4, "nbformat_minor": 5, "cells": [
        {"cell_type": "code", "source": "x", "metadata": {}, "outputs": [
            {"output_type": "stream", "name": "stdout", "text": f"saved under {root}/.work/cpu\n"},
            {"output_type": "execute_result", "metadata": {}, "execution_count": 1,
             "data": {"text/plain": f"PosixPath('{root}/results/cpu/figures/a.png')"}}]},
        {"cell_type": "code", "source": "# NBCLEAN_OPTIONAL_FIGURE\nif n: S.save_figure(fig, 'b')", "metadata": {},
         "outputs": []}]}
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(nb))
    nbclean.clean(path)  # no SystemExit: the only figure cell is optional
    text = path.read_text()
    assert root + "/" not in text and "results/cpu/figures/a.png" in text and ".work/cpu" in text


def test_html_rendering_carries_each_figures_alt_text(tmp_path):
    """nbconvert's lab template drops an output's alt text and warned "Alternative text is missing on N
    image(s)" once per notebook (#24); run_all.sh converts with a template that keeps it."""
    import matplotlib.pyplot as plt
    import nbformat

    from ecomlib.study.notebook import figure_alt

    fig, ax = plt.subplots()
    ax.set_title("scores by size")
    alt = figure_alt(fig, "scaling")
    plt.close(fig)
    assert alt == "figure scaling: scores by size"
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBgAAAABQABpfZFQAAAAABJRU5ErkJggg=="
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("S.save_figure(fig, 'scaling')")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png}, metadata={"image/png": {"alt": alt}})]
    nb.cells = [cell]
    nbformat.write(nb, str(tmp_path / "n.ipynb"))
    run_all = (REPO_ROOT / "run_all.sh").read_text()
    template = "ecomlib/study/templates/lab_alt.html.j2"
    assert f'--template-file "$ROOT/{template}"' in run_all
    r = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--log-level", "WARN",
                        "--template-file", str(REPO_ROOT / template), str(tmp_path / "n.ipynb")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "Alternative text is missing" not in r.stderr
    html = (tmp_path / "n.html").read_text()
    assert f'alt="{alt}"' in html and "jp-RenderedImage" in html and "jp-Notebook" in html


def test_a_variants_stages_show_on_the_terminal_and_not_in_the_notebook(monkeypatch, capfd):
    """#24: a cpu variant trained and evaluated for minutes behind a bare 'variants 2/18' bar. Its stages'
    bars (step, loss, tokens/s; rows generated) now draw on the terminal; the notebook gets one line."""
    from ecomlib.study import experiments, pipeline, results

    terminal = io.StringIO()
    monkeypatch.setattr(progress, "kernel_terminal", lambda: terminal)  # what a papermill kernel gets

    def stage(desc, n, progress=False, **postfix):
        with progress_mod.tqdm(total=n, desc=desc, disable=not progress) as bar:
            for _ in range(n):
                bar.update(1)
            bar.set_postfix(**postfix)

    progress_mod = progress

    def finetune(p, size, selection=None, progress=False):
        stage("train ecominstruct", 4, progress, loss="1.2345", tok_s="987")
        return "m"

    def evaluate(p, model_dir, split="heldout", progress=False):
        stage("generate", 6, progress)
        task = {"lang": "en", "level": "held_in", "task_type": "CLS", "rougeL_ws": 50.0, "rougeL_char": 40.0}
        return {"tasks": {"EN-X-CLS-y": task}, "summary": {}}

    monkeypatch.setattr(pipeline, "finetune", finetune)
    monkeypatch.setattr(pipeline, "evaluate", evaluate)
    monkeypatch.setattr(results, "trivial_results", lambda *a, **k: [])  # no real EcomInstruct build here
    profile = load_profile("smoke")
    capfd.readouterr()
    rows = experiments.run(profile, "lr_sweep", progress=True)  # two arms: lr 0.003 (= Full) and lr 0.006
    out, err = capfd.readouterr()
    assert [r["HI_rougeL"] for r in rows] == [50.0, 50.0]
    shown = _lines(out) + _lines(err)
    assert len(shown) == 1 and shown[0].startswith("arms: 2/2 "), shown  # the notebook's one line
    drawn = terminal.getvalue()
    assert "train ecominstruct" in drawn and "loss=1.2345" in drawn and "tok_s=987" in drawn
    assert "generate" in drawn and "6/6" in drawn and "EcomGPT@xs{train.lr=0.006} (seed 0)" in drawn


def test_tables_render_whole_and_empty_cells_as_a_dash():
    """#24: notebook 09's main table was cut ("12 rows × 26 columns", "..."); a single seed's sd showed "NaN"."""
    import pandas as pd

    from ecomlib.study.notebook import MAX_ROWS, frame_html, set_display

    df = pd.DataFrame({f"c{i}": [1.5, float("nan")] * 40 for i in range(30)})
    before = {k: pd.get_option(k) for k in ("display.max_columns", "display.max_rows")}
    try:
        set_display()
        html = frame_html(df)
    finally:
        for k, v in before.items():
            pd.set_option(k, v)
    assert "rows × " not in html and "..." not in html and "<th>c29</th>" in html and MAX_ROWS >= 80
    assert "NaN" not in html and html.count("<td>–</td>") == 30 * 40
    with pd.option_context("display.max_columns", None, "display.max_rows", MAX_ROWS):
        assert frame_html(df) == df._repr_html_().replace("<td>NaN</td>", "<td>–</td>")


def test_nbval_runs_fail_on_a_cut_table_or_a_nan_cell(tmp_path):
    """The rendering check of the test suite (conftest.py): a notebook whose table pandas cuts fails."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import pandas as pd\npd.set_option('display.max_columns', 4)\n"
        "pd.DataFrame({f'c{i}': [1.0, None] for i in range(9)})")]
    nb.metadata["kernelspec"] = {"name": "ecomlib", "display_name": "Python (ecomlib)", "language": "python"}
    path = REPO_ROOT / "notebooks" / f".tmp_rendering_check_{os.getpid()}.ipynb"  # under the root conftest
    nbformat.write(nb, str(path))
    try:
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
                            "--nbval-current-env", str(path)], cwd=REPO_ROOT, capture_output=True, text=True,
                           timeout=300)
    finally:
        path.unlink()
    assert r.returncode == 1, r.stdout[-2000:]
    assert "a table is cut by pandas" in r.stdout and "shows 'NaN' for an empty cell" in r.stdout, r.stdout[-2000:]


def test_table_problems():
    from ecomlib.study.nbclean import table_problems

    whole = {"data": {"text/html": ["<table><tr><td>–</td><td>1.0</td></tr></table>"]}}
    cut = {"data": {"text/html": "<table><td>...</td></table>\n<p>12 rows × 26 columns</p>"}}
    assert table_problems([whole]) == []
    assert table_problems([cut]) == ["a table is cut by pandas (rows × columns, '...'): display it whole"]


def test_the_stored_smoke_notebooks_show_whole_tables():
    """The outputs stored in notebooks/ (what nbval compares, what a reader of the repository sees): no
    table cut by pandas, no "NaN" cell (notebook 09's main table was "12 rows × 26 columns", "...")."""
    from ecomlib.study.nbclean import table_problems

    for path in sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        problems = [(i, p) for i, c in enumerate(cells) for p in table_problems(c.get("outputs", []))]
        assert problems == [], (path.name, problems)
