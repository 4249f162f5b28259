"""The map of the package (docs/ARCHITECTURE.md) stays true: every module named, no cycle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "planner"
MAP = ROOT / "docs" / "ARCHITECTURE.md"


def _modules() -> set[str]:
    return {path.name for path in PACKAGE.glob("*.py")}


def _module_level_imports(path: Path) -> set[str]:
    """The package modules a module imports at its top level (not inside functions)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names |= {node.module.split(".")[0]} if node.module else \
                {alias.name for alias in node.names}
    return {f"{name}.py" for name in names} & _modules()


def test_the_map_names_every_module_and_no_other() -> None:
    named = set(re.findall(r"`([a-z_]+\.py)`", MAP.read_text(encoding="utf-8")))
    assert _modules() - named == set(), "modules missing from docs/ARCHITECTURE.md"
    assert named - _modules() == set(), "docs/ARCHITECTURE.md names modules that are gone"


def test_module_level_imports_form_no_cycle() -> None:
    graph = {name: _module_level_imports(PACKAGE / name) for name in _modules()}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, (*path, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())
