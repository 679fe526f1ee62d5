"""The ecomlib code a study stage runs, derived from the source (never listed by hand).

A stage is an entry function of the orchestration module (``ecomlib.study.pipeline``): ``build_data``,
``tokenizer``, ``base_model``, ``finetune``, ``evaluation_dir``. Its code is

* the orchestration functions it reaches by name (``evaluation_dir`` calls ``heldout_suite`` which calls
  ``build_data`` ...), with the orchestration module's top-level statements (constants, and those of its
  top-level imports whose names these functions use): they compute the stage's parameters and inputs;
* every ecomlib module those functions import, and, transitively, every ecomlib module *those* import,
  read statically (``ast``), imports inside functions included.

``from pkg import name`` follows the module that defines ``name``: a package's ``__init__`` re-exporting it
stands aside (so a stage importing one name of ``ecomlib.evaluation`` does not depend on every module
that package's ``__init__`` re-exports). A top-level import of the orchestration module counts for a stage
only when the stage's functions use the name it binds, so the module can import at the top what its
stages need without every stage depending on all of it. The result is a tuple of deps for
``ecomlib.study.runs.cached``: package-relative files, and ``<file>::<f1>,<f2>`` for the orchestration
module's own functions. Computed once per process.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

PACKAGE = "ecomlib"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
ORCHESTRATION = "ecomlib.study.pipeline"
FUNCTIONS_SEP = "::"


def module_file(module: str) -> Path | None:
    """The source file of an ecomlib module (a package's ``__init__.py``), or None when there is none."""
    if module != PACKAGE and not module.startswith(PACKAGE + "."):
        return None
    rel = Path(*module.split(".")[1:])
    for f in (PACKAGE_ROOT / rel / "__init__.py", (PACKAGE_ROOT / rel).with_suffix(".py")):
        if f.is_file():
            return f
    return None


@functools.lru_cache(maxsize=None)
def _tree(module: str) -> ast.Module:
    f = module_file(module)
    return ast.parse(f.read_bytes(), filename=str(f))


def _is_package(module: str) -> bool:
    f = module_file(module)
    return f is not None and f.name == "__init__.py"


def _absolute(node: ast.ImportFrom, module: str) -> str:
    """The module an ``ImportFrom`` names, relative imports resolved against ``module``."""
    if not node.level:
        return node.module or ""
    parts = module.split(".") if _is_package(module) else module.split(".")[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _imports(nodes) -> list[ast.AST]:
    return [n for top in nodes for n in ast.walk(top) if isinstance(n, (ast.Import, ast.ImportFrom))]


def _targets(node: ast.AST, module: str) -> list[tuple[str, str | None]]:
    """What an import statement needs: (module, None) for the whole module, (module, name) for one name."""
    if isinstance(node, ast.Import):
        return [(a.name, None) for a in node.names]
    base = _absolute(node, module)
    return [(base, None if a.name == "*" else a.name) for a in node.names]


def _binding(package: str, name: str) -> tuple[str, str | None] | None:
    """Where a package's ``__init__`` gets ``name`` from: the import that binds it, or None (defined there)."""
    for node in _imports(_tree(package).body):
        for a in node.names:
            if (a.asname or a.name).split(".")[0] == name:
                return (_absolute(node, package), a.name) if isinstance(node, ast.ImportFrom) else (a.name, None)
    return None


def _resolve(target: tuple[str, str | None], seen: set[tuple]) -> set[str]:
    """The ecomlib modules one import target needs, transitively."""
    if target in seen:
        return set()
    seen.add(target)
    module, name = target
    if module_file(module) is None:
        return set()
    if name is not None and module_file(f"{module}.{name}") is not None:  # a submodule
        return _resolve((f"{module}.{name}", None), seen)
    if name is not None and _is_package(module):
        bound = _binding(module, name)
        if bound is not None:  # a re-export: follow the module that defines it
            return _resolve(bound, seen)
    if name is not None:  # a name defined in the module: the whole module, walked once
        return _resolve((module, None), seen)
    out = {module}
    for t in _module_targets(module):
        out |= _resolve(t, seen)
    return out


@functools.lru_cache(maxsize=None)
def _module_targets(module: str) -> tuple[tuple[str, str | None], ...]:
    """Every import target of a module, imports inside functions included."""
    return tuple(t for node in _imports([_tree(module)]) for t in _targets(node, module))


def _reached_functions(entry: str) -> list[str]:
    """The orchestration module's top-level functions ``entry`` reaches by name, ``entry`` first."""
    defs = {n.name: n for n in _tree(ORCHESTRATION).body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    if entry not in defs:
        raise ValueError(f"{ORCHESTRATION} has no function {entry!r}")
    order, todo = [], [entry]
    while todo:
        name = todo.pop()
        if name in order:
            continue
        order.append(name)
        todo += sorted({n.id for n in ast.walk(defs[name]) if isinstance(n, ast.Name) and n.id in defs} - set(order))
    return order


def _used_targets(node: ast.Import | ast.ImportFrom, used: set[str]) -> list[tuple[str, str | None]]:
    """The targets of a top-level import of the orchestration module whose bound name the stage's code uses:
    a module-level ``from ecomlib.evaluation import evaluate_model`` keys only the stages that call it."""
    bound = [(a.asname or a.name).split(".")[0] for a in node.names]
    return [t for t, name in zip(_targets(node, ORCHESTRATION), bound) if name in used or name == "*"]


def _rel(module: str) -> str:
    return module_file(module).relative_to(PACKAGE_ROOT).as_posix()


@functools.lru_cache(maxsize=None)
def stage_deps(entry: str) -> tuple[str, ...]:
    """The deps of the stage whose orchestration function is ``entry`` (module doc)."""
    functions = _reached_functions(entry)
    tree = _tree(ORCHESTRATION)
    top_imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    other = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef))]
    nodes = other + [n for n in tree.body if getattr(n, "name", None) in functions]
    used = {n.id for top in nodes for n in ast.walk(top) if isinstance(n, ast.Name)}
    modules: set[str] = set()
    seen: set[tuple] = set()
    targets = [t for node in _imports(nodes) for t in _targets(node, ORCHESTRATION)]
    targets += [t for node in top_imports for t in _used_targets(node, used)]
    for t in targets:
        modules |= _resolve(t, seen)
    if ORCHESTRATION in modules:  # reached as a whole module (some import of it): all of it counts
        return tuple(sorted(_rel(m) for m in modules))
    own = f"{_rel(ORCHESTRATION)}{FUNCTIONS_SEP}{','.join(sorted(functions))}"
    return tuple(sorted({_rel(m) for m in modules} | {own}))


def function_sources(path: Path, names: list[str]) -> bytes:
    """The source of the named top-level functions of ``path`` and of every top-level statement that is
    not a function (imports, constants), in file order: what ``<file>::<names>`` stands for."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    lines = text.splitlines(keepends=True)
    start = lambda n: min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", ())])  # noqa: E731
    parts = ["".join(lines[start(n) - 1:n.end_lineno]) for n in tree.body
             if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) or n.name in names]
    missing = sorted(set(names) - {getattr(n, "name", None) for n in tree.body})
    if missing:
        raise FileNotFoundError(f"cache dependency {path}: no top-level function {missing}")
    return "\n".join(parts).encode("utf-8")
