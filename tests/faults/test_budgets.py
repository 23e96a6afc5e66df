"""Hard budgets, and a cancel (or close) that stops everything of a run at once.

"Nothing runs after": each test counts what reaches a local endpoint (a model that
hangs or rate-limits, a ``totp_url``) after ``cancel_run`` returned, plus a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import agent.llm.call
from agent import RunStatus
from agent.prompt_reading import Prompt
from agent.records.runs import StepStatus
from agent.stores import MemoryStore
from agent.testing import PromptLLM
from engines.v1 import TOTP_PLACEHOLDER, step_limit
from engines.v2 import MAX_DISAGREEMENTS
from fixtures_sites.server import FixtureServer
from tests.faults.fake_openai import FakeOpenAI

FINAL_STEP = {StepStatus.completed, StepStatus.failed, StepStatus.canceled}
QUIET_AFTER = 1.5
"""Seconds to watch for requests after a cancel returned (the promise is one second)."""


def _wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


# -- step budgets --------------------------------------------------------------------------------


def test_a_v2_run_whose_steps_all_fail_keeps_to_the_v1_step_limit(fault_agent, server):
    def policy(prompt: Prompt) -> Any:
        if prompt.purpose == "plan_v2":
            return {
                "user_goal_achieved": False,
                "should_terminate": False,
                "task_type": "navigate",
                "plan": "press the button that is not there",
            }
        if prompt.purpose == "plan":
            return {"actions": [{"action_type": "CLICK", "id": "9999", "reasoning": "there"}]}
        if prompt.purpose == "validate_v2":
            return {"user_goal_achieved": False, "should_terminate": False}
        if prompt.purpose == "summarize_v2":
            return {"description": "nothing", "output": None}
        return {"errors": []}

    llm = PromptLLM(policy)
    agent = fault_agent(llm)
    run = agent.run_task("Press it", server.url("/faults/steady.html"), max_steps=2)
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("Max steps exceeded"), run.failure_reason
    steps = agent.list_steps(run.run_id)
    assert 0 < len(steps) <= step_limit(2), len(steps)
    assert all(s.status in FINAL_STEP for s in steps)


def test_planner_validator_disagreement_ends_the_run_after_a_few_rounds(fault_agent, server):
    def policy(prompt: Prompt) -> Any:
        if prompt.purpose == "plan_v2":
            return {"user_goal_achieved": True, "should_terminate": False, "plan": "done"}
        if prompt.purpose == "validate_v2":
            return {"user_goal_achieved": False, "should_terminate": False}
        if prompt.purpose == "summarize_v2":
            return {"description": "nothing", "output": None}
        return {"errors": []}

    llm = PromptLLM(policy)
    agent = fault_agent(llm)
    run = agent.run_task("Finish", server.url("/faults/steady.html"), max_steps=3)
    assert run.status == RunStatus.failed
    assert "planner and the validator disagree" in run.failure_reason, run.failure_reason
    assert len(llm.prompts_for("plan_v2")) == MAX_DISAGREEMENTS
    assert len(llm.prompts) <= 2 * MAX_DISAGREEMENTS + 2, [p.purpose for p in llm.prompts]


# -- cancel and close against a model in flight ------------------------------------------------------


@pytest.fixture
def fake_openai(monkeypatch) -> Iterator[Callable[[str], FakeOpenAI]]:
    """A local OpenAI-compatible endpoint; the library's real model path is allowed to it."""
    made: list[FakeOpenAI] = []

    def make(mode: str) -> FakeOpenAI:
        endpoint = FakeOpenAI(mode)
        made.append(endpoint)
        monkeypatch.setenv("OPENAI_API_BASE", endpoint.base_url)
        monkeypatch.setenv("OPENAI_BASE_URL", endpoint.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-local-test")
        monkeypatch.setattr(agent.llm.call, "_block_real_calls", False)  # 127.0.0.1 only
        return endpoint

    yield make
    for endpoint in made:
        endpoint.close()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", ["hang", "429"])
def test_cancel_interrupts_a_model_call_and_its_retries(
    fault_agent, fake_openai, server: FixtureServer, mode: str
):
    endpoint = fake_openai(mode)
    agent = fault_agent("openai/gpt-4o-mini")
    started = agent.run_task(
        "Press Continue", server.url("/faults/steady.html"), engine="skyvern-1.0", wait=False
    )
    _wait_until(lambda: endpoint.count() >= (1 if mode == "hang" else 2), 60, "a model call")
    run = agent.cancel_run(started.run_id)
    assert run.status == RunStatus.canceled
    sent = endpoint.count()
    time.sleep(QUIET_AFTER)
    assert endpoint.count() == sent, "requests went on after cancel_run returned"
    steps = agent.list_steps(run.run_id)
    assert steps and all(s.status in FINAL_STEP for s in steps)
    assert steps[-1].status == StepStatus.canceled


@pytest.mark.timeout(120)
def test_close_interrupts_a_model_call_in_flight(fault_agent, fake_openai, server: FixtureServer):
    endpoint = fake_openai("hang")
    store = MemoryStore()
    agent = fault_agent("openai/gpt-4o-mini", store=store)
    started = agent.run_task(
        "Press Continue", server.url("/faults/steady.html"), engine="skyvern-1.0", wait=False
    )
    _wait_until(lambda: endpoint.count() >= 1, 60, "a model call")
    closer = threading.Thread(target=agent.close)
    closer.start()
    closer.join(60)
    assert not closer.is_alive(), "close() waited for the model"
    sent = endpoint.count()
    time.sleep(QUIET_AFTER)
    assert endpoint.count() == sent
    assert store.get_run(started.run_id).status == RunStatus.canceled


# -- cancel during a 2FA wait ----------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_cancel_stops_polling_totp_url_at_once(fault_agent, server: FixtureServer):
    def policy(prompt: Prompt) -> Any:
        button = prompt.find(tag="button", text="Continue")
        return {
            "actions": [{"action_type": "INPUT_TEXT", "id": button.id, "text": TOTP_PLACEHOLDER}]
        }

    agent = fault_agent(PromptLLM(policy), totp_poll_interval=0.1, totp_timeout=300)

    def polls() -> int:
        return sum(1 for r in list(server.requests) if r.path == "/totp/empty")

    started = agent.run_task(
        "Enter the code",
        server.url("/faults/steady.html"),
        engine="skyvern-1.0",
        totp_url=server.url("/totp/empty"),
        wait=False,
    )
    _wait_until(lambda: polls() >= 3, 60, "totp_url polled")
    run = agent.cancel_run(started.run_id)
    assert run.status == RunStatus.canceled
    sent = polls()
    time.sleep(QUIET_AFTER)
    assert polls() == sent, "totp_url was polled after cancel_run returned"
    assert all(s.status in FINAL_STEP for s in agent.list_steps(run.run_id))
