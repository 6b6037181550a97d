"""The layout of the package: no import cycles, a docstring everywhere, files one can read."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import grimp
import pytest

import derive

PACKAGE = Path(derive.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def _cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(imports[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_itself_through_others_not_even_inside_a_function() -> None:
    graph = grimp.build_graph("derive")  # every import statement, wherever it stands
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    assert _cycles(imports) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_says_its_place_and_stays_readable(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(source)), "a module docstring says its place in the flow"
    assert source.count("\n") <= 400


def test_no_public_name_is_hidden_by_a_subpackage() -> None:
    subpackages = {info.name for info in pkgutil.iter_modules([str(PACKAGE)])}
    assert subpackages.isdisjoint(derive.__all__)
    assert callable(derive.derivation)
    derive.derivation()  # after the steps' package is loaded, the name is still the function
    assert callable(derive.derivation)
