"""A test policy's own exception ends the run as the policy's error, with its traceback."""

from __future__ import annotations

from typing import Any

import pytest

from agent import RunStatus
from agent.fake_providers import FakeOpenAI
from agent.testing import Prompt, PromptLLM
from fixtures_sites.server import FixtureServer


def sloppy_policy(prompt: Prompt) -> Any:
    button = prompt.find(tag="button", text="No such button")
    return {"actions": [{"action_type": "CLICK", "id": button.id}]}  # button is None


@pytest.mark.parametrize("way", ["in-process", "over HTTP"])
def test_a_policy_that_raises_fails_the_run_naming_the_policy_and_its_line(
    agent_for, server: FixtureServer, way: str
):
    if way == "in-process":
        agent = agent_for(PromptLLM(sloppy_policy))
        run = agent.run_task("Press Continue", server.url("/faults/steady.html"))
    else:
        with FakeOpenAI(sloppy_policy) as provider:
            wiring = provider.agent_kwargs()
            agent = agent_for(wiring.pop("llm"), **wiring)
            run = agent.run_task("Press Continue", server.url("/faults/steady.html"))
    assert run.status == RunStatus.failed
    reason = run.failure_reason or ""
    assert reason.startswith("PolicyError: the test policy sloppy_policy() raised AttributeError")
    assert "Model error" not in reason
    assert "Traceback" in reason and "test_policy_errors.py" in reason and "button.id" in reason
    assert "agent/llm/doubles.py" not in reason  # the policy's frames, not the library's
    assert "site-packages" not in reason  # nor litellm's
