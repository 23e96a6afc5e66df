"""The command line: flags made from the request model, summaries, tables, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent import RunRequest, RunStatus, TaskRun
from agent.cli import EXIT_CODES, EXIT_UNFINISHED, EXIT_USAGE, build_parser, exit_code, main
from agent.cli.request_flags import flag_name, normalize_argv, request_fields
from agent.testing import PromptLLM

PROMPT = "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
SCHEMA = '{"application_success": {"type": "boolean"}}'


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("AGENT_STORE", raising=False)
    monkeypatch.delenv("AGENT_LLM", raising=False)
    return tmp_path / "data"


def _run_parser():
    commands = next(a for a in build_parser()._actions if a.dest == "command")
    return commands.choices["run"]


def _parse_run(*argv: str) -> dict:
    return request_fields(_run_parser().parse_args(normalize_argv(list(argv))))


def test_every_request_field_is_a_run_flag_with_its_hosted_name() -> None:
    options = {s for action in _run_parser()._actions for s in action.option_strings}
    for name in RunRequest.model_fields:
        if name != "prompt":
            assert flag_name(name) in options, name  # a field added later gets its flag too
    assert {"--schema", "--request", "--wait", "--no-wait", "--json"} <= options
    assert {
        "--proxy-location",
        "--totp-url",
        "--browser-session-id",
        "--publish-workflow",
    } <= options


def test_run_flags_read_json_files_and_hosted_spellings(tmp_path: Path) -> None:
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(SCHEMA)
    fields = _parse_run(
        "Find it",
        "--schema",
        str(schema_file),
        "--proxy_location",
        '{"url": "http://127.0.0.1:9"}',
        "--error-codes",
        '{"NO_JOB": "the job is gone"}',
        "--max_steps=4",
        "--no-publish-workflow",
        "--totp-url",
        "https://example.com/totp",
    )
    assert fields == {
        "prompt": "Find it",
        "data_extraction_schema": {"application_success": {"type": "boolean"}},
        "proxy_location": {"url": "http://127.0.0.1:9"},
        "error_code_mapping": {"NO_JOB": "the job is gone"},
        "max_steps": 4,
        "publish_workflow": False,
        "totp_url": "https://example.com/totp",
    }
    assert _parse_run("x", "--proxy-location", "NONE") == {"prompt": "x", "proxy_location": "NONE"}
    assert _parse_run("x") == {"prompt": "x"}  # only what was given; the model has the defaults


def test_an_optional_choice_field_takes_its_choices(capsys) -> None:
    assert _parse_run("x", "--run-with", "code") == {"prompt": "x", "run_with": "code"}
    with pytest.raises(SystemExit):
        _parse_run("x", "--run-with", "robot")
    assert "choose from 'agent', 'code'" in capsys.readouterr().err


def test_bad_flags_and_requests_fail_before_anything_runs(data_dir: Path, capsys) -> None:
    base = ["--data-dir", str(data_dir), "--llm", "offline", "run"]
    with pytest.raises(SystemExit) as exc:
        main([*base, "x", "--schema", "{not json"])
    assert exc.value.code == EXIT_USAGE
    assert "--data-extraction-schema: not valid JSON" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*base, "x", "--error-code-mapping", "nope"])
    assert "give inline JSON" in capsys.readouterr().err

    assert main([*base, "x", "--url", "https://example.com", "--max-steps", "0"]) == EXIT_USAGE
    assert "max_steps: max_steps must be at least 1" in capsys.readouterr().err
    assert main([*base, "--url", "https://example.com"]) == EXIT_USAGE
    assert "say what to do" in capsys.readouterr().err
    assert main([*base, "x", "--url", "https://example.com", "--secrets", "PIN"]) == EXIT_USAGE
    assert "no value for 'PIN': set AGENT_SECRET_PIN" in capsys.readouterr().err
    request = data_dir.parent / "request.json"
    request.write_text(json.dumps({"prompt": "x", "colour": "red"}))
    assert main([*base, "--request", str(request)]) == EXIT_USAGE
    assert "unknown request field 'colour'" in capsys.readouterr().err
    assert main(["--data-dir", str(data_dir), "runs"]) == 0
    assert "No runs yet" in capsys.readouterr().out  # none of the above stored a run


def test_empty_store_says_so(data_dir: Path, capsys) -> None:
    assert main(["--data-dir", str(data_dir), "runs"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"No runs yet (store: {data_dir / 'agent.db'})")
    assert 'agent run "' in out
    assert main(["runs", "--status", "failed", "--data-dir", str(data_dir)]) == 0  # either side
    assert capsys.readouterr().out.startswith("No failed runs")
    assert main(["--data-dir", str(data_dir), "workflows"]) == 0
    assert capsys.readouterr().out.startswith("No workflows yet")
    assert main(["--data-dir", str(data_dir), "steps", "tsk_missing"]) == EXIT_USAGE
    assert "No run with id 'tsk_missing'" in capsys.readouterr().err


def test_exit_codes_are_distinct_per_ending() -> None:
    request = RunRequest(prompt="x")
    codes = {
        status: exit_code(
            TaskRun(run_id="tsk_1", status=status, run_type="task_v1", run_request=request)
        )
        for status in RunStatus
        if status.is_final
    }
    assert codes[RunStatus.completed] == 0
    assert {s.value: c for s, c in codes.items()} == EXIT_CODES
    assert len(set(codes.values())) == len(codes)  # failed, terminated, timed_out, canceled differ
    assert 0 not in {c for s, c in codes.items() if s != RunStatus.completed}
    running = TaskRun(run_id="tsk_1", status="running", run_type="task_v1", run_request=request)
    assert exit_code(running) == EXIT_UNFINISHED


@pytest.mark.timeout(300)  # several real runs; the machine may be shared
def test_cli_round_trip(data_dir: Path, server, monkeypatch, capsys) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    monkeypatch.setenv("COLUMNS", "160")  # the runs table cuts its last column to the terminal
    request = data_dir.parent / "request.json"
    request.write_text(
        json.dumps(
            {
                "prompt": PROMPT,
                "url": server.url("/lever/apply"),
                "engine": "skyvern-2.0",
                "data_extraction_schema": json.loads(SCHEMA),
                "title": "Job Application Task",
            }
        )
    )
    glob = ["--data-dir", str(data_dir), "--llm", "offline"]
    argv = [*glob, "run", "--request", str(request), "--engine", "skyvern-1.0", "--quiet"]
    assert main([*argv, "--max-steps", "5", "--publish-workflow"]) == 0
    summary = capsys.readouterr().out
    run_id = summary.split()[1]
    folder = data_dir / "runs" / run_id
    assert summary.startswith(f"Run {run_id} completed in ") and "Job Application Task" in summary
    assert '"application_success": true' in summary
    assert "steps    2 · " in summary and "tokens" in summary and "$0.0000" in summary
    assert f"files    {folder}" in summary and f"report   {folder / 'report.html'}" in summary
    assert "workflow wpid_" in summary
    assert (folder / "report.html").is_file()

    assert main([*glob, "show", run_id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["run"]["run_request"]["engine"] == "skyvern-1.0"  # the flag beat the file
    assert shown["run"]["run_request"]["max_steps"] == 5 and len(shown["steps"]) == 2
    assert shown["run"]["recording_url"]  # recorded by default

    assert main([*glob, "runs"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == [
        "run_id",
        "status",
        "created",
        "(UTC)",
        "steps",
        "cost",
        "title",
        "/",
        "prompt",
    ]
    assert table[1].split()[:2] == [run_id, "completed"] and "Job Application Task" in table[1]
    assert main([*glob, "runs", "--status", "completed", "--page-size", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith(run_id)
    assert main([*glob, "runs", "--status", "failed"]) == 0
    assert capsys.readouterr().out.startswith("No failed runs")

    assert main([*glob, "steps", run_id]) == 0
    steps = capsys.readouterr().out.splitlines()
    assert steps[0].split()[:3] == ["step", "status", "tokens"] and len(steps) == 3
    assert "INPUT_TEXT#" in steps[1] and " ok" in steps[1] and "COMPLETE" in steps[2]

    assert main([*glob, "workflows"]) == 0
    workflows = capsys.readouterr().out.splitlines()
    workflow_id = workflows[1].split()[0]
    assert workflow_id.startswith("wpid_") and run_id in workflows[1] and "name" in workflows[1]

    assert main([*glob, "replay", workflow_id, "--param", "name=Ada Lovelace", "--json"]) == 0
    replay = json.loads(capsys.readouterr().out)
    assert replay["status"] == "completed" and replay["workflow_id"] == workflow_id
    assert server.submissions_to("/lever/apply")[-1].form["name"] == "Ada Lovelace"
    assert main([*glob, "replay", workflow_id, "--param", "oops"]) == EXIT_USAGE

    assert main([*glob, "report", run_id, "--open"]) == 0
    assert capsys.readouterr().out.strip() == str(folder / "report.html")
    assert opened == [(folder / "report.html").as_uri()]
    assert main([*glob, "report", "--all"]) == 0
    index = Path(capsys.readouterr().out.strip())
    assert index == data_dir / "index.html"
    assert f"runs/{run_id}/report.html" in index.read_text()
    assert main([*glob, "report"]) == EXIT_USAGE

    assert main([*glob, "cancel", run_id]) == 0
    assert capsys.readouterr().out.strip() == f"{run_id}\tcompleted"


@pytest.mark.timeout(300)  # several real runs; the machine may be shared
def test_run_exit_codes_for_terminated_and_failed(data_dir: Path, server, capsys) -> None:
    quit_ = PromptLLM(lambda p: {"actions": [{"action_type": "TERMINATE", "reason": "no"}]})
    argv = ["--data-dir", str(data_dir), "run", "Impossible", "--url", server.url("/products/")]
    argv += ["--engine", "skyvern-1.0", "--quiet"]
    assert main(["--llm", quit_.model_name, *argv]) == EXIT_CODES["terminated"] == 4
    out = capsys.readouterr().out
    assert " terminated" in out.splitlines()[0] and "reason   " in out

    wait = PromptLLM(
        lambda p: {"actions": [{"action_type": "WAIT"}]} if p.purpose == "plan" else {}
    )
    assert main(["--llm", wait.model_name, *argv, "--max-steps", "1", "--json"]) == 3
    run = json.loads(capsys.readouterr().out)
    assert run["status"] == "failed" and run["failure_reason"]


@pytest.mark.timeout(300)  # a second process and a real run; the machine may be shared
def test_no_wait_returns_at_once_and_the_run_goes_on(data_dir: Path, server) -> None:
    cmd = [sys.executable, "-m", "agent", "--data-dir", str(data_dir), "--llm", "offline"]
    cmd += ["run", PROMPT, "--url", server.url("/lever/apply"), "--schema", SCHEMA]
    started = subprocess.run(
        [*cmd, "--engine", "skyvern-1.0", "--no-wait", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    run = json.loads(started.stdout)
    assert run["status"] in ("queued", "running")
    from agent import Agent

    with Agent(store="sqlite", data_dir=data_dir) as agent:
        deadline = time.monotonic() + 240
        while not agent.get_run(run["run_id"]).status.is_final and time.monotonic() < deadline:
            time.sleep(0.5)
        done = agent.get_run(run["run_id"])
    assert done.status == RunStatus.completed, done.failure_reason
    assert done.output == {"application_success": True}
    assert (data_dir / "runs" / run["run_id"] / "background.log").is_file()


@pytest.mark.timeout(300)  # a real run; the machine may be shared
def test_no_video_records_nothing(data_dir: Path, server, capsys) -> None:
    argv = ["--data-dir", str(data_dir), "--llm", "offline", "run", PROMPT]
    argv += ["--url", server.url("/lever/apply"), "--schema", SCHEMA, "--engine", "skyvern-1.0"]
    assert main([*argv, "--quiet", "--json", "--no-video"]) == 0
    run = json.loads(capsys.readouterr().out)
    assert run["status"] == "completed" and run["recording_url"] is None
    assert not list((data_dir / "runs" / run["run_id"]).rglob("*.webm"))
