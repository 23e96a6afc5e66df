"""The notebook side: examples/quickstart.ipynb runs, and the live run card updates per step."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from agent import Agent
from agent.testing import offline_llm

PROMPT = "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "quickstart.ipynb"


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


@pytest.mark.timeout(300)  # a kernel and a real run; the machine may be shared
async def test_quickstart_runs_in_a_kernel_with_a_live_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: Any
) -> None:
    """The notebook in a real IPython kernel (nbclient): the run cell's card updates per step."""
    import nbformat
    from nbclient import NotebookClient

    _cells()  # the committed notebook is clean
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    shown: list[tuple[str, dict[str, Any]]] = []

    class Recording(NotebookClient):  # type: ignore[misc]
        def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
            if msg["header"]["msg_type"] in ("display_data", "update_display_data"):
                shown.append((msg["header"]["msg_type"], msg["content"]))
            return super().process_message(msg, cell, cell_index)

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = Recording(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    await client.async_execute()

    code = {c.source.split("\n")[0]: c for c in notebook.cells if c.cell_type == "code"}
    run_cell = next(c for first, c in code.items() if first.startswith("agent = Agent("))
    run_id, status = _stream(run_cell).split()
    assert run_id.startswith("tsk_") and status == "queued"  # wait=False: back at once
    waited = next(c for first, c in code.items() if first.startswith("run = agent.wait("))
    assert _stream(waited).strip() == "completed {'application_success': True} None"
    report_cell = next(c for first, c in code.items() if "write_index" in first)
    report, index = (Path(line) for line in _stream(report_cell).split())
    assert report == tmp_path / "agent-data" / "runs" / run_id / "report.html" and report.is_file()
    assert index == tmp_path / "agent-data" / "index.html" and index.is_file()

    card_id = shown[0][1]["transient"]["display_id"]
    card = [
        (kind, content["data"]["text/html"])
        for kind, content in shown
        if content.get("transient", {}).get("display_id") == card_id
    ]
    assert card[0][0] == "display_data" and {kind for kind, _ in card[1:]} == {
        "update_display_data"
    }
    assert len(card) >= 4  # shown, updated as the two steps go, then the ending
    final = run_cell.outputs[0]["data"]["text/html"]
    assert final == card[-1][1] and "agent-live-card" not in final  # it ended as the run's card

    async def render(html: str) -> dict[str, Any]:
        await page.set_content(html)
        return await page.evaluate(
            """() => ({
                text: document.body.innerText,
                thumbs: [...document.images].map(i => i.complete && i.naturalWidth > 0),
            })"""
        )

    first = await render(card[0][1])
    assert "queued" in first["text"] and "starting" in first["text"] and first["thumbs"] == []
    views = [await render(html) for _, html in card[1:-1]]
    step1 = next(v for v in views if "step 1/10" in v["text"] and "INPUT_TEXT" in v["text"])
    assert "/lever/apply" in step1["text"]
    assert "tokens" in step1["text"] and "$0.0000" in step1["text"]
    step2 = next(v for v in views if "step 2/10" in v["text"])
    assert step2["thumbs"] == [True]  # the latest screenshot, as a thumbnail
    assert "CLICK" in step2["text"] and "ok" in step2["text"]  # the last actions stay listed
    last = await render(final)
    assert "completed" in last["text"] and "application_success" in last["text"]
    assert last["thumbs"] == [True]


def _stream(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o["output_type"] == "stream")


def test_without_ipython_a_notebook_gets_progress_lines(
    tmp_path: Path, server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("agent.ui.progress.in_notebook", lambda: True)
    monkeypatch.setitem(sys.modules, "IPython.display", None)  # importing it fails
    with Agent(llm=offline_llm(), data_dir=tmp_path, record_video=False) as agent:
        run = agent.run_task(PROMPT, server.url("/lever/apply"), engine="skyvern-1.0")
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split()[2:4] for line in lines] == [["step", "1/10"], ["step", "2/10"]]
    assert run.status.value == "completed"


def test_ipykernel_imported_outside_a_kernel_is_not_a_notebook() -> None:
    import ipykernel  # noqa: F401 - jupyter_client imports it too, e.g. to find kernel specs

    from agent.ui.progress import ProgressLines, in_notebook, progress_for

    assert in_notebook() is False
    assert type(progress_for(True)) is ProgressLines
