"""A cold start: the start page is read while litellm still imports.

Whether the model sees screenshots comes from litellm's model table. On a cold start the
import is still running when the browser is up; the run then opens and reads the start
page meanwhile, and waits for the answer only to decide on the screenshot
(``agent.run.runner._vision``, ``RunContext.known_vision``). Here the import is made to look
unfinished (``supports_vision_now`` has no answer yet) and the answer comes late, from a
worker thread; the first prompt must still carry the screenshot exactly when the model
sees, and only the page's own text otherwise.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import agent.llm.call
from agent import RunStatus
from agent.testing import Prompt, PromptLLM
from fixtures_sites.server import FixtureServer

GOAL = "Sign up as a volunteer: full name: Ada Lovelace"


@pytest.mark.parametrize("sees", [True, False])
def test_a_late_vision_answer_still_decides_the_first_screenshot(
    agent_for: Any, server: FixtureServer, monkeypatch: pytest.MonkeyPatch, sees: bool
) -> None:
    asked_from: list[str] = []

    def late_answer(model: str) -> bool:
        asked_from.append(threading.current_thread().name)
        time.sleep(0.3)  # litellm still importing
        return sees

    monkeypatch.setattr(agent.llm.call, "supports_vision_now", lambda model: None)
    monkeypatch.setattr(agent.llm.call, "supports_vision", late_answer)

    def policy(prompt: Prompt) -> Any:
        return {"actions": [{"action_type": "TERMINATE", "reason": "only looking"}]}

    model = PromptLLM(policy, vision=sees)
    run = agent_for(model).run_task(GOAL, server.url("volunteer/"), engine="skyvern-1.0")

    assert run.status == RunStatus.terminated, run.failure_reason
    first = model.prompts[0]
    assert "full name" in first.page.lower()  # the form was read
    assert [image[:4] for image in first.images] == ([b"\x89PNG"] if sees else [])
    assert asked_from and asked_from[0] != "agent-loop"  # the event loop was not held up
