"""The seed task against a real model: runs only when AGENT_TEST_REAL_LLM names one.

    AGENT_TEST_REAL_LLM=gpt-4o-mini OPENAI_API_KEY=... .venv/bin/python -m pytest tests/test_real_llm.py

Everything else in the suite uses doubles; this is the one place a real model may be called.
"""

from __future__ import annotations

import os

import pytest

from agent import Agent, RunStatus
from agent.llm.call import block_real_calls

MODEL = os.environ.get("AGENT_TEST_REAL_LLM")


@pytest.mark.skipif(not MODEL, reason="set AGENT_TEST_REAL_LLM to a litellm model name to run")
@pytest.mark.parametrize("engine", ["skyvern-1.0", "skyvern-2.0"])
def test_seed_job_application_with_a_real_model(engine, tmp_path, server):
    block_real_calls(False)
    try:
        with Agent(llm=MODEL, data_dir=tmp_path, record_video=False) as agent:
            run = agent.run_task(
                "Apply for a job on behalf of this person: name: Chris P Bacon. "
                "email: chris@pbacon.com",
                server.url("/lever/apply"),
                {"application_success": {"type": "boolean"}},
                engine=engine,
                max_steps=6,
            )
    finally:
        block_real_calls(True)
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"application_success": True}
    sent = server.wait_for_submission("/lever/apply")
    assert sent.form["name"] == "Chris P Bacon" and sent.form["email"] == "chris@pbacon.com"
