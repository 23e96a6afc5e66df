"""The layers lean one way, as docs/architecture.md draws them, and the check reads them there.

Imports are read from the source with ``ast``: every ``import`` statement, inside
functions too, so an import hidden in a function counts like one at the top. Only the
imports under ``if TYPE_CHECKING:`` are set apart: they never run, and an annotation may
name a higher layer's class (the ``Agent`` a report is written for).

- no import cycle between modules (of ``agent`` and ``engines``);
- no import from a lower layer to a higher one (the order is the ``layers`` block of
  docs/architecture.md, the one place it is written);
- ``agent`` never imports ``engines``; ``engines`` stands on ``agent.run`` and below;
- ``agent/`` holds at most 12 modules, a folder at most 20, and every package's
  ``__init__`` says what it holds and what it may import;
- every documented import path still imports, with its names; an old module path
  imports the moved module, with a ``DeprecationWarning`` (for one release);
- the action handler modules do not import each other (they hand over through the context).
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
from pathlib import Path

import pytest
import tomllib

from agent.browser.acting.action_types import ACTION_MODULES

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"


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


def _graph(*packages: str) -> dict[str, set[str]]:
    """Module -> the modules of ``packages`` it imports when it runs (lazily too)."""
    modules = {name: path for package in packages for name, path in _modules(package).items()}
    known = set(modules)
    return {
        name: {m for m in imports_of(path, known, typing_too=False) if m in known and m != name}
        for name, path in modules.items()
    }


def read_layers(text: str) -> list[tuple[str, ...]]:
    """The ``layers`` block of docs/architecture.md: top layer first, its names per line."""
    block = re.search(r"^```layers\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert block, "docs/architecture.md has no ```layers block"
    layers = []
    for line in block.group(1).splitlines():
        names = tuple(w for w in line.split() if re.fullmatch(r"agent(\.\w+)*", w))
        if names:
            layers.append(names)
    return layers


LAYERS = read_layers(ARCHITECTURE.read_text(encoding="utf-8"))


def layer_of(module: str) -> int:
    """Index of the layer ``module`` belongs to (its longest named prefix); 0 is the top."""
    best, index = "", -1
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > len(best):
                best, index = name, i
    assert index >= 0, f"{module} is in no layer of docs/architecture.md"
    return index


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: groups of two or more modules that reach each other (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycle_counting_lazy_imports():
    graph = _graph("agent", "engines")
    assert len(graph) > 100  # the walk really read both packages
    assert strongly_connected(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_points_up_a_layer():
    upward = {
        name: sorted(m for m in imported if layer_of(m) < layer_of(name))
        for name, imported in _graph("agent").items()
    }
    assert {name: found for name, found in upward.items() if found} == {}


def test_every_package_has_its_layer():
    packages = sorted(
        {_module_name(p.parent / "__init__.py") for p in (ROOT / "agent").rglob("__init__.py")}
    )
    named = {name for names in LAYERS for name in names}
    for package in packages:
        layer_of(package)  # raises when none
    assert named <= {*packages, *_modules("agent")}, "the diagram names only real modules"


def test_no_module_of_agent_imports_engines():
    modules = _modules("agent")
    offenders = {
        name: sorted(m for m in imports_of(path, set(modules)) if m.split(".")[0] == "engines")
        for name, path in modules.items()
    }
    assert {name: found for name, found in offenders.items() if found} == {}
    assert len(modules) > 50  # the walk really read the package


def test_engines_stand_on_the_run_layer_and_below():
    lowest_allowed = layer_of("agent.run")
    agent_modules = set(_modules("agent"))
    offenders = {
        name: sorted(
            m
            for m in imports_of(path, agent_modules)
            if m.startswith("agent") and layer_of(m) < lowest_allowed
        )
        for name, path in _modules("engines").items()
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def run():\n    from engines.v1 import run_v1\n    return run_v1\n")
    assert "engines.v1" in imports_of(sneaky, set())


def test_few_modules_at_the_top_and_per_folder():
    top = sorted(p.name for p in (ROOT / "agent").glob("*.py"))
    assert len(top) <= 12, top
    for folder in sorted({p.parent for p in (ROOT / "agent").rglob("*.py")}):
        count = len(list(folder.glob("*.py")))
        assert count <= 20, f"{folder.relative_to(ROOT)} holds {count} modules"


@pytest.mark.parametrize(
    "init", sorted((ROOT / "agent").rglob("__init__.py")), ids=lambda p: _module_name(p)
)
def test_every_package_says_what_it_holds_and_may_import(init: Path):
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert doc, f"{_module_name(init)} has no docstring"
    assert "may import" in doc.lower(), f"{_module_name(init)} does not say what it may import"


DOCUMENTED = {
    "agent": [
        "Agent",
        "run_task",
        "run_task_async",
        "get_run",
        "list_runs",
        "list_steps",
        "cancel_run",
        "TaskRun",
        "Step",
        "RunStatus",
        "RunRequest",
    ],
    "agent.testing": [
        "FunctionLLM",
        "ScriptedLLM",
        "PromptLLM",
        "offline_llm",
        "Prompt",
    ],
    "agent.browser": ["observe", "act", "Observation"],
    "agent.stores": [
        "RunStore",
        "MemoryStore",
        "SQLiteStore",
        "RunStepStore",
        "TOTPCodeStore",
        "WorkflowStore",
        "open_store",
    ],
    "agent.prompt_reading": ["Prompt", "purpose_of"],
    "agent.records": ["ErrorEntry", "ActionRecord", "Block"],
    "agent.workflow_records": ["Workflow", "WorkflowAction"],
    "agent.engine_registry": [
        "EngineSpec",
        "register_engine",
        "engine_spec",
        "engine_names",
    ],
    "agent.fake_providers": ["FakeOpenAI", "FakeOllama", "Fault"],
    "agent.browser.action_kind": ["ActionKind", "register_action"],
    "agent.pytest_plugin": [],
}


@pytest.mark.parametrize("path", sorted(DOCUMENTED))
def test_documented_import_paths_still_work(path: str):
    module = importlib.import_module(path)
    assert [name for name in DOCUMENTED[path] if not hasattr(module, name)] == []


def test_an_old_module_path_imports_the_new_module_with_a_warning():
    from agent._moved import MOVED

    old, new = "agent.models", MOVED["agent.models"]
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=new):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    assert module.__spec__ is not None and module.__spec__.name == new


def test_the_pytest_plugin_entry_point_is_unchanged():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["pytest11"] == {
        "local_browser_agent": "agent.pytest_plugin"
    }


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
    graph = {
        name: found for name, found in _graph("agent").items() if name.startswith("agent.browser")
    }
    others = set(ACTION_MODULES) - {handler_module}
    assert graph[handler_module] & others == set(), "handlers hand over with ctx.run(...)"
    assert _cycles_through(graph, handler_module) == []
