"""The layers lean one way: ``engines`` stands on ``agent``, never the reverse, and the
action handler modules do not import each other (they hand over through the context).

Imports are read from the source with ``ast`` (every ``import`` statement, in functions
too), so an import hidden inside a function counts like one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from agent.browser.action_types import ACTION_MODULES

ROOT = Path(__file__).resolve().parent.parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(package: str) -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(path: Path, known: set[str], *, typing_too: bool = True) -> set[str]:
    """The modules ``path`` imports (``from pkg import mod`` counts as ``pkg.mod``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if not typing_too and _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return found


def test_no_module_of_agent_imports_engines():
    modules = _modules("agent")
    offenders = {
        name: sorted(m for m in imports_of(path, set(modules)) if m.split(".")[0] == "engines")
        for name, path in modules.items()
    }
    assert {name: found for name, found in offenders.items() if found} == {}
    assert len(modules) > 50  # the walk really read the package


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def run():\n    from engines.v1 import run_v1\n    return run_v1\n")
    assert "engines.v1" in imports_of(sneaky, set())


def _cycles_through(graph: dict[str, set[str]], start: str) -> list[list[str]]:
    """Import cycles that pass through ``start`` (depth-first, each found once)."""
    cycles: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                cycles.append([*path, start])
            elif nxt not in path:
                walk(nxt, [*path, nxt])

    walk(start, [start])
    return cycles


@pytest.mark.parametrize("handler_module", ACTION_MODULES)
def test_action_handler_modules_sit_in_no_import_cycle(handler_module: str):
    modules = _modules("agent")
    known = set(modules)
    graph = {
        name: {m for m in imports_of(path, known, typing_too=False) if m in known}
        for name, path in modules.items()
        if name.startswith("agent.browser")
    }
    others = set(ACTION_MODULES) - {handler_module}
    assert graph[handler_module] & others == set(), "handlers hand over with ctx.run(...)"
    assert _cycles_through(graph, handler_module) == []
