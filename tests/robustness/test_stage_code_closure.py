"""Each study stage is keyed on the code that computes its parameters and inputs as well as its body,
derived from the source: an edit anywhere on a stage's path (an orchestration function of
study/pipeline.py such as ``heldout_suite``, or a module it imports, such as instruct/leak_guard.py)
changes that stage's key, and an edit off the path leaves it alone."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from ecomlib.study import codedeps, pipeline, runs

# stage -> its orchestration function in study/pipeline.py
STAGES = {"data": "build_data", "tokenizer": "tokenizer", "model-pretrain": "base_model",
          "model-general": "base_model", "model-ecomgpt": "finetune", "eval": "evaluation_dir",
          "eval-general": "general_check"}
ORDER = list(STAGES)


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A copy of the package that the fingerprint reads instead of the real one."""
    root = tmp_path / "ecomlib"
    shutil.copytree(codedeps.PACKAGE_ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(codedeps, "PACKAGE_ROOT", root)
    monkeypatch.setattr(runs, "PACKAGE_ROOT", root)
    return root


def _keys() -> dict[str, str]:
    for f in (codedeps._tree, codedeps._module_targets, codedeps.stage_deps, runs.code_fingerprint):
        f.cache_clear()
    return {stage: runs.code_fingerprint(codedeps.stage_deps(fn)) for stage, fn in STAGES.items()}


def _edit_function(path: Path, name: str) -> None:
    """Add a statement at the end of the top-level function ``name`` (a real, parseable edit)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fn = next(n for n in ast.parse("".join(lines)).body if getattr(n, "name", None) == name)
    indent = " " * fn.body[0].col_offset
    lines.insert(fn.body[-1].end_lineno, f"{indent}_edited = 1  # noqa\n")
    path.write_text("".join(lines), encoding="utf-8")


def _changed(before: dict, after: dict) -> list[str]:
    return [s for s in ORDER if before[s] != after[s]]


# The eval stage's key names the model folder, itself keyed on the model stages' code: an edit on a model's
# path reaches eval through the folder's name, not through eval's own code deps.
MODELS = ["model-pretrain", "model-general", "model-ecomgpt"]


@pytest.mark.parametrize("function, expected", [
    ("heldout_suite", ["eval"]),  # rows per task of the scored split
    ("evaluation_dir", ["eval"]),
    ("_train_params", ["model-ecomgpt", "eval-general"]),
    ("general_check", ["eval-general"]),
    ("_score_general", ["eval-general"]),
    ("finetune", ["model-ecomgpt"]),
    ("existing_checkpoint", [*MODELS, "eval-general"]),
    ("base_model", [*MODELS, "eval-general"]),
    ("_eval_data_params", ["tokenizer", *MODELS, "eval-general"]),
    ("_data_params", ORDER),
    ("build_data", ORDER),
    ("_build_params", ORDER),
])
def test_an_orchestration_edit_changes_the_stages_on_its_path(package, function, expected):
    before = _keys()
    _edit_function(package / "study" / "pipeline.py", function)
    assert _changed(before, _keys()) == expected


@pytest.mark.parametrize("module, expected", [
    ("instruct/leak_guard.py", ORDER),  # the data build checks train against the evaluation suites
    ("sources/published_eval.py", ORDER),  # ... whose files it reads (the evaluation reads them too)
    ("evaluation/metrics.py", ["eval"]),
    ("training/loop.py", [*MODELS, "eval-general"]),
    ("training/tokenizer.py", ["tokenizer", "model-pretrain", "model-general", "model-ecomgpt", "eval", "eval-general"]),
    ("training/convergence.py", [*MODELS, "eval-general"]),
    ("evaluation/registry.py", ["eval"]),  # the suites: instances, source identity, scores' extras
    ("study/published.py", []),  # lays out a table from cached scores: no stage computes with it
    ("instruct/select.py", ["model-ecomgpt"]),
])
def test_a_module_edit_changes_the_stages_that_import_it(package, module, expected):
    before = _keys()
    path = package / module
    path.write_text(path.read_text(encoding="utf-8") + "\n_edited = 1\n", encoding="utf-8")
    assert _changed(before, _keys()) == expected


def test_each_stage_is_keyed_on_its_own_function():
    """Every ``cached(...)`` call of study/pipeline.py passes ``deps=stage_deps(<the function it is in>)``."""
    tree = ast.parse(Path(pipeline.__file__).read_text(encoding="utf-8"))
    seen = []
    for fn in tree.body:
        for call in (n for n in ast.walk(fn) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "cached"):
            deps = next(k.value for k in call.keywords if k.arg == "deps")
            assert isinstance(deps, ast.Call) and deps.func.id == "stage_deps", fn.name
            assert deps.args[0].value == fn.name
            seen.append(fn.name)
    assert sorted(set(seen)) == sorted(set(STAGES.values()))


def test_the_closure_follows_imports_inside_functions_and_re_exports():
    deps = codedeps.stage_deps("build_data")
    assert "instruct/leak_guard.py" in deps  # the builder's guard
    assert "evaluation/metrics.py" not in deps  # ecomlib.evaluation's __init__ re-exports it; the build never uses it
    assert "training/loop.py" not in codedeps.stage_deps("tokenizer")
    assert any(d.startswith("study/pipeline.py::") and "heldout_suite" in d
               for d in codedeps.stage_deps("evaluation_dir")) or "study/pipeline.py" in codedeps.stage_deps("evaluation_dir")


def test_a_top_level_import_of_the_pipeline_keys_only_the_stages_that_use_its_name(package):
    """The orchestration module may import at the top what its stages use: an import keys the stages whose
    functions use the name it binds, not every stage (on the old rule an edit of a metric retrained every model)."""
    path = package / "study" / "pipeline.py"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("from __future__ import annotations\n",
                                 "from __future__ import annotations\n\nfrom ecomlib.evaluation import rouge as _rouge_module\n", 1),
                    encoding="utf-8")
    metrics = package / "evaluation" / "rouge.py"

    def edit_rouge() -> list[str]:
        before = _keys()
        metrics.write_text(metrics.read_text(encoding="utf-8") + "\n_edited = 1\n", encoding="utf-8")
        return _changed(before, _keys())

    assert "data" not in edit_rouge() and "model-ecomgpt" not in edit_rouge()  # imported, not used by them
    _edit_function(path, "build_data")  # now build_data uses the name
    lines = path.read_text(encoding="utf-8").replace("_edited = 1  # noqa", "_edited = _rouge_module  # noqa")
    path.write_text(lines, encoding="utf-8")
    assert edit_rouge() == ORDER
