"""The command line, round trip: run → runs → show → report → cancel."""

from __future__ import annotations

import json
from pathlib import Path

from agent.__main__ import main
from agent.testing import offline_llm

PROMPT = "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"


def test_cli_round_trip(tmp_path, server, monkeypatch, capsys):
    llm = offline_llm()
    monkeypatch.setenv("AGENT_LLM", llm.model_name)  # a double is a litellm model name too
    monkeypatch.setenv("AGENT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("AGENT_STORE", raising=False)
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"application_success": {"type": "boolean"}}))

    assert (
        main(
            [
                "run",
                PROMPT,
                "--url",
                server.url("/lever/apply"),
                "--schema",
                str(schema),
                "--engine",
                "skyvern-1.0",
                "--max-steps",
                "5",
                "--quiet",
            ]
        )
        == 0
    )
    run = json.loads(capsys.readouterr().out)
    assert run["status"] == "completed" and run["output"] == {"application_success": True}

    assert main(["runs"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith(f"{run['run_id']}\tcompleted")

    assert main(["show", run["run_id"]]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["run"]["run_id"] == run["run_id"] and len(shown["steps"]) == 2

    assert main(["report", run["run_id"]]) == 0
    report = Path(capsys.readouterr().out.strip())
    assert report == tmp_path / "runs" / run["run_id"] / "report.html"
    html = report.read_text()
    assert run["run_id"] in html and "application_success" in html
    assert html.count('class="step"') == 2 and html.count("data:image/") == 2

    assert main(["cancel", run["run_id"]]) == 0
    assert capsys.readouterr().out.strip() == f"{run['run_id']}\tcompleted"

    assert main(["show", "tsk_missing"]) == 2
    assert "No run with id 'tsk_missing'" in capsys.readouterr().err
    assert main(["report", "tsk_missing"]) == 2
    assert "No run with id 'tsk_missing'" in capsys.readouterr().err
    assert (tmp_path / "agent.db").is_file()


def test_cli_run_exit_code_is_nonzero_unless_completed(tmp_path, server, monkeypatch, capsys):
    from agent.testing import PromptLLM

    llm = PromptLLM(lambda p: {"actions": [{"action_type": "TERMINATE", "reason": "no"}]})
    monkeypatch.setenv("AGENT_LLM", llm.model_name)
    monkeypatch.setenv("AGENT_DATA_DIR", str(tmp_path))
    assert (
        main(
            [
                "run",
                "Impossible",
                "--url",
                server.url("/products/"),
                "--engine",
                "skyvern-1.0",
                "--quiet",
            ]
        )
        == 1
    )
    assert json.loads(capsys.readouterr().out)["status"] == "terminated"
