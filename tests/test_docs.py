"""The Python in the docs runs: each page's ``python run`` blocks, in order, in one namespace.

The convention, for any page under ``docs/`` (or the README) whose code can run offline:
mark a fenced block as runnable with the word ``run`` after the language,

    ```python run
    run = agent.run_task("...", server.url("/lever/apply"))
    ```

(renderers still highlight it as Python). A page's runnable blocks execute top to bottom
in one namespace, like a notebook, in a fresh working directory, with ``server`` (the fixture
sites, :class:`fixtures_sites.server.FixtureServer`) already defined; unmarked blocks are
shown, not run. Agents a page leaves open are closed afterwards. A page opts in by
marking its blocks; nothing else needs to change here.

A page may also hold a whole small pytest project (the plugin example in
``docs/testing.md``): blocks marked ``project=<path>`` after the language are written to
those paths in a fresh folder, and pytest runs there with the plugin, as a user would.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([*ROOT.glob("docs/*.md"), ROOT / "README.md"])
FENCE = re.compile(r"^```python run[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def runnable_blocks(text: str) -> list[tuple[int, str]]:
    """``(line number, code)`` of each ``python run`` block of a page."""
    return [(text.count("\n", 0, m.start()) + 2, m[1]) for m in FENCE.finditer(text)]


PROJECT_FENCE = re.compile(
    r"^```\w+ project=(\S+)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL
)


def project_files(text: str) -> dict[str, str]:
    """``{path: content}`` of a page's ``project=<path>`` blocks."""
    return {m[1]: m[2] for m in PROJECT_FENCE.finditer(text)}


RUNNABLE = [page for page in PAGES if runnable_blocks(page.read_text(encoding="utf-8"))]


def test_the_convention_finds_blocks() -> None:
    text = "intro\n```python run\nx = 1\n```\n```python\nnot run\n```\n```python run\ny = x\n```\n"
    assert runnable_blocks(text) == [(3, "x = 1\n"), (9, "y = x\n")]
    assert ROOT / "docs" / "reports.md" in RUNNABLE


@pytest.mark.timeout(300)  # a page may make several real runs; the machine may be shared
@pytest.mark.parametrize("page", RUNNABLE, ids=[p.relative_to(ROOT).as_posix() for p in RUNNABLE])
def test_docs_page_code_runs(
    page: Path, server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent import Agent

    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__docs__", "server": server}
    try:
        for line, code in runnable_blocks(page.read_text(encoding="utf-8")):
            source = "\n" * (line - 1) + code  # tracebacks point at the page's own lines
            exec(compile(source, str(page.relative_to(ROOT)), "exec"), namespace)
    finally:
        for value in list(namespace.values()):
            if isinstance(value, Agent):
                value.close()


PROJECT_PAGES = [p for p in PAGES if project_files(p.read_text(encoding="utf-8"))]


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    "page", PROJECT_PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PROJECT_PAGES]
)
def test_docs_pytest_project_runs_as_written(page: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    files = project_files(page.read_text(encoding="utf-8"))
    assert any(name.startswith("test_") for name in files), "the project has no test file"
    for name, content in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONPATH": str(ROOT)}
    plugins = ["-p", "agent.pytest_plugin", "-p", "pytest_playwright.pytest_playwright"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *plugins, "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
