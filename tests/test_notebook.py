"""The notebook side: examples/quickstart.ipynb runs, and the live run card updates per step."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent import Agent
from agent.testing import offline_llm

PROMPT = "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "quickstart.ipynb"


def _cells() -> list[dict[str, Any]]:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4 and notebook["nbformat_minor"] >= 5
    cells = notebook["cells"]
    assert len({cell["id"] for cell in cells}) == len(cells)  # ids are unique (nbformat 4.5)
    for cell in cells:
        assert cell["cell_type"] in ("markdown", "code") and cell["metadata"] == {}
        assert isinstance(cell["source"], list)
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    return cells


def test_quickstart_notebook_runs(
    notebook: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the notebook writes ./agent-data
    namespace: dict[str, Any] = {"__name__": "__main__"}
    try:
        for cell in _cells():
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                exec(compile(source, f"{NOTEBOOK.name}:{cell['id']}", "exec"), namespace)
    finally:  # a failed cell must not leave the notebook's browser or server behind
        if "agent" in namespace:
            namespace["agent"].close()
        if "server" in namespace:
            namespace["server"].stop()
    run = namespace["run"]
    assert run.status.value == "completed" and run.output == {"application_success": True}
    assert namespace["report"] == tmp_path / "agent-data" / "runs" / run.run_id / "report.html"
    assert namespace["report"].is_file()
    assert (tmp_path / "agent-data" / "index.html").is_file()
    cards = [o["data"]["text/html"] for o in notebook]  # the live card the notebook shows
    assert any("step 1/10" in card and "INPUT_TEXT" in card for card in cards)
    assert "completed" in cards[-1] and run.run_id in cards[-1]


@pytest.fixture
def notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """An IPython shell whose displays are captured, with the agent believing it is in Jupyter."""
    from IPython.core.displaypub import CapturingDisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setattr("agent.progress.in_notebook", lambda: True)
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    shell.display_pub = CapturingDisplayPublisher()
    try:
        yield shell.display_pub.outputs
    finally:
        InteractiveShell.clear_instance()


async def test_live_card_updates_per_step_and_ends_as_the_run_card(
    notebook: list[dict[str, Any]], tmp_path: Path, server: Any, page: Any
) -> None:
    from agent.display import run_html

    with Agent(llm=offline_llm(), data_dir=tmp_path, record_video=False) as agent:
        run = await agent.run_task_async(
            PROMPT, server.url("/lever/apply"), engine="skyvern-1.0", max_steps=4, wait=False
        )
        assert len(notebook) == 1 and not notebook[0]["update"]  # shown at once
        run = await asyncio.to_thread(agent.wait, run.run_id, 120)
    assert run.status.value == "completed"
    display_id = notebook[0]["transient"]["display_id"]
    assert all(o["transient"]["display_id"] == display_id for o in notebook)
    assert all(o["update"] for o in notebook[1:]) and len(notebook) >= 4
    cards = [o["data"]["text/html"] for o in notebook]
    assert cards[-1] == run_html(run)  # it ends as the run's usual card

    async def show(html: str) -> dict[str, Any]:
        await page.set_content(html)
        return await page.evaluate(
            """() => ({
                text: document.body.innerText,
                thumb: [...document.images].map(i => i.complete && i.naturalWidth > 0),
            })"""
        )

    first = await show(cards[0])
    assert "queued" in first["text"] and "starting" in first["text"] and first["thumb"] == []
    seen = [await show(html) for html in cards[1:-1]]
    step1 = next(s for s in seen if "step 1/4" in s["text"] and "INPUT_TEXT" in s["text"])
    assert "running" in step1["text"] and server.url("/lever/apply") in step1["text"]
    assert "tokens" in step1["text"] and "$0.0000" in step1["text"]
    step2 = next(s for s in seen if "step 2/4" in s["text"])
    assert step2["thumb"] == [True]  # step 1's screenshot, as a thumbnail
    assert "CLICK" in step2["text"] and "ok" in step2["text"]  # the last actions stay listed
    last = await show(cards[-1])
    assert "completed" in last["text"] and "application_success" not in last["text"]
    assert last["thumb"] == [True]


def test_without_ipython_a_notebook_gets_progress_lines(
    tmp_path: Path, server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("agent.progress.in_notebook", lambda: True)
    monkeypatch.setitem(sys.modules, "IPython.display", None)  # importing it fails
    with Agent(llm=offline_llm(), data_dir=tmp_path, record_video=False) as agent:
        run = agent.run_task(PROMPT, server.url("/lever/apply"), engine="skyvern-1.0")
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split()[2:4] for line in lines] == [["step", "1/10"], ["step", "2/10"]]
    assert run.status.value == "completed"
