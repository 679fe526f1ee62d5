"""The import graph follows the data flow: no cycle between packages, no arrow up, deferred imports say why.

Packages are the first component below ``ecomlib`` (a top-level module is its own package). Each gets a
rank in the data flow of issue #22; an import may only point to a lower rank. Shell-verb modules
(``cli.py``, ``__main__.py`` and ``commands/``) form the top layer,
which may import anything and each other. Imports inside functions are parsed too, since hiding an
import in a function does not remove the dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOP = "commands"  # the layer of shell verbs
RANK: dict[str, int] = {
    "errors": 0,
    # leaf modules; distributed is the process group's exit hook, used by training and evaluation alike
    **{leaf: 1 for leaf in ("io", "net", "progress", "schema", "recordtypes", "config", "text", "seeding", "datadir",
                            "distributed")},
    "sources": 2,
    "world": 2,
    "records": 3,
    "instruct": 4,
    "training": 5,
    "evaluation": 6,
    "study": 7,
    TOP: 8,
}

def _files() -> list[Path]:
    return sorted((ROOT / "ecomlib").rglob("*.py"))


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_verb_module(module: str) -> bool:
    parts = module.split(".")
    return module in ("ecomlib.cli", "ecomlib.__main__") or (len(parts) > 1 and parts[1] == "commands")


def package_of(module: str) -> str | None:
    """The layer of an ``ecomlib`` module, or None for the ``ecomlib`` package itself."""
    parts = module.split(".")
    if len(parts) < 2:
        return None
    return TOP if _is_verb_module(module) else parts[1]


def _imports(tree: ast.AST) -> list[tuple[ast.stmt, str, bool]]:
    """(node, imported ecomlib module, inside a function) for every ecomlib import in ``tree``."""
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((child, a.name, in_function) for a in child.names if a.name.startswith("ecomlib"))
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and (child.module or "").startswith("ecomlib"):
                if child.module == "ecomlib":  # from ecomlib import world, io
                    found.extend((child, f"ecomlib.{a.name}", in_function) for a in child.names)
                else:
                    found.append((child, child.module, in_function))
            visit(child, inner)

    visit(tree, False)
    return found


def _all_imports() -> list[tuple[str, int, str, str, str, bool, str]]:
    """(file, line, source package, imported module, target package, in function, source text)."""
    rows = []
    for path in _files():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        rel = path.relative_to(ROOT).as_posix()
        src = package_of(_module_of(path))
        for node, module, in_function in _imports(ast.parse(text, filename=rel)):
            source = " ".join(lines[node.lineno - 1 : node.end_lineno])
            rows.append((rel, node.lineno, src, module, package_of(module), in_function, source))
    return rows


def _package_edges() -> list[tuple[str, int, str, str, str]]:
    edges = []
    for rel, line, src, module, dst, _, _ in _all_imports():
        if src is None or dst is None or src == dst:
            continue
        edges.append((rel, line, src, module, dst))
    return edges


def _cycles(edges) -> list[set[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for _, _, src, _, dst in edges:
        graph.setdefault(src, set()).add(dst)
        graph.setdefault(dst, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    comps: list[set[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(comp)

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return comps


def test_every_package_has_a_rank():
    unranked = {src for _, _, src, _, _ in _package_edges() if src not in RANK}
    unranked |= {dst for _, _, _, _, dst in _package_edges() if dst not in RANK}
    assert not unranked, f"packages without a rank in the data flow: {sorted(unranked)}"


def test_no_cycle_between_packages():
    edges = _package_edges()
    offending = []
    for comp in _cycles(edges):
        offending += [f"{rel}:{line} {src} -> {dst} ({module})" for rel, line, src, module, dst in edges
                      if src in comp and dst in comp]
    assert not offending, "cycles between packages:\n" + "\n".join(offending)


def test_no_arrow_against_the_data_flow():
    offending = [
        f"{rel}:{line} {src} (rank {RANK.get(src)}) -> {dst} (rank {RANK.get(dst)}): {module}"
        for rel, line, src, module, dst in _package_edges()
        if not (src == dst == TOP or RANK.get(src, -1) > RANK.get(dst, 99))
    ]
    assert not offending, "imports against the data flow:\n" + "\n".join(offending)


def test_imports_inside_functions_say_why():
    offending = [
        f"{rel}:{line}: {source.strip()}"
        for rel, line, _, module, _, in_function, source in _all_imports()
        if in_function and "# deferred:" not in source
    ]
    assert not offending, "ecomlib imports inside functions without '# deferred: <why>':\n" + "\n".join(offending)


@pytest.mark.parametrize(
    "module, layer",
    [("ecomlib.study.plan", "study"), ("ecomlib.commands.config", TOP), ("ecomlib.cli", TOP), ("ecomlib.io", "io"),
     ("ecomlib.instruct.builder", "instruct"), ("ecomlib.commands.score", TOP), ("ecomlib", None)],
)
def test_layer_of_a_module(module, layer):
    assert package_of(module) == layer
