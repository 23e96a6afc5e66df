"""A dialog while the start page loads is handled like one after load, and named if it fails."""

from __future__ import annotations

import pytest

from agent import RunStatus
from agent.prompt_reading import Prompt
from agent.testing import PromptLLM
from engines import start
from fixtures_sites.server import FixtureServer
from tests.faults.stand_ins import Answer, complete, v1_policy
from tests.faults.test_faults import _assert_no_step_running


@pytest.mark.timeout(120)
def test_a_confirm_while_the_start_page_loads_is_put_to_the_model(
    fault_agent, server: FixtureServer
):
    seen: list[str] = []

    def plan(prompt: Prompt) -> Answer:
        seen.append(prompt.text)
        if 'a confirm dialog asks: "Keep the classic layout?"' in prompt.text:
            return {"actions": [{"action_type": "ANSWER_DIALOG", "accept": True}]}
        if "Classic layout kept" in prompt.text:
            return complete("the classic layout is kept")
        return {"actions": [{"action_type": "WAIT", "seconds": 1}]}

    agent = fault_agent(PromptLLM(v1_policy(plan)))
    run = agent.run_task(
        "Keep the classic layout", server.url("/faults/confirm_on_load.html"), engine="skyvern-1.0"
    )
    assert run.status == RunStatus.completed, run.failure_reason
    _assert_no_step_running(agent, run.run_id)
    assert "Keep the classic layout?" in seen[0], seen[0]
    assert "Classic layout kept" in seen[-1], seen[-1]


@pytest.mark.timeout(120)
def test_a_start_page_that_does_not_load_names_the_dialog_it_showed(
    fault_agent, server: FixtureServer, monkeypatch
):
    monkeypatch.setattr(start, "NAVIGATION_TIMEOUT_MS", 3000)

    def plan(prompt: Prompt) -> Answer:
        raise AssertionError("the run should end before any step")

    agent = fault_agent(PromptLLM(v1_policy(plan)))
    run = agent.run_task(
        "Read the catalogue",
        server.url("/faults/alert_then_late_script.html"),
        engine="skyvern-1.0",
    )
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("Failed to navigate to URL"), run.failure_reason
    assert "alert: The catalogue is loading, please wait" in run.failure_reason
