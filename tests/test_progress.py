"""Live progress lines: shown when asked, silent when not."""

from __future__ import annotations

from agent import Agent
from agent.testing import offline_llm

PROMPT = "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"


def test_progress_prints_one_line_per_step_when_asked(tmp_path, server, capsys):
    with Agent(llm=offline_llm(), data_dir=tmp_path, progress=True, record_video=False) as a:
        run = a.run_task(PROMPT, server.url("/lever/apply"), engine="skyvern-1.0", max_steps=4)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"run {run.run_id} step 1/4 ")
    assert "INPUT_TEXT#" in lines[0] and "CLICK#" in lines[0] and "failed" not in lines[0]
    assert lines[1].startswith(f"run {run.run_id} step 2/4 ") and "COMPLETE" in lines[1]
    assert "tok" in lines[1]


def test_progress_is_silent_when_off(tmp_path, server, capsys):
    with Agent(llm=offline_llm(), data_dir=tmp_path, progress=False, record_video=False) as a:
        a.run_task(PROMPT, server.url("/lever/apply"), engine="skyvern-1.0")
    assert capsys.readouterr().err == ""
