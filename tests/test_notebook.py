"""examples/quickstart.ipynb stays true: its code cells run, in order, in one namespace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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


def test_quickstart_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
