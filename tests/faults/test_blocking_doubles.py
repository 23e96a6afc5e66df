"""A model double that blocks (a sleeping function) cannot freeze the Agent.

The double's function runs on a thread of its own, so the call's timeout and a cancel
act on it as on a provider; the function finishes in the background and its answer is
dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agent import RunStatus
from agent.llm.request import LLMRequest
from agent.records.runs import StepStatus
from agent.testing import FunctionLLM
from fixtures_sites.server import FixtureServer

FINAL_STEP = {StepStatus.completed, StepStatus.failed, StepStatus.canceled}


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at the end of the test: a blocked double's function then returns."""
    event = threading.Event()
    yield event
    event.set()


def _blocking(release: threading.Event, entered: threading.Event) -> Callable[[LLMRequest], Any]:
    def blocking_model(request: LLMRequest) -> Any:
        entered.set()
        release.wait(60)  # a model that sleeps: the test ends it, never the Agent
        return {"actions": [{"action_type": "COMPLETE", "reason": "late"}]}

    return blocking_model


def _wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


@pytest.mark.timeout(120)
def test_cancel_ends_a_run_whose_double_blocks(fault_agent, server: FixtureServer, release):
    entered = threading.Event()
    llm = FunctionLLM(_blocking(release, entered))
    agent = fault_agent(llm)
    started = agent.run_task(
        "Press Continue", server.url("/faults/steady.html"), engine="skyvern-1.0", wait=False
    )
    _wait_until(entered.is_set, 60, "the model call")
    run = agent.cancel_run(started.run_id)
    assert not release.is_set()  # the double still sleeps
    assert run.status == RunStatus.canceled
    steps = agent.list_steps(run.run_id)
    # the run wound down while the function slept: its step ended, nothing left running
    assert steps and all(s.status in FINAL_STEP for s in steps)
    assert steps[-1].status == StepStatus.canceled
    release.set()
    time.sleep(0.2)  # the late answer arrives and is dropped
    assert agent.get_run(run.run_id).status == RunStatus.canceled


@pytest.mark.timeout(120)
def test_the_call_timeout_applies_to_a_blocking_double(fault_agent, server: FixtureServer, release):
    entered = threading.Event()
    agent = fault_agent(FunctionLLM(_blocking(release, entered)), llm_timeout=1)
    run = agent.run_task("Press Continue", server.url("/faults/steady.html"), max_steps=1)
    assert entered.is_set() and not release.is_set()
    assert run.status == RunStatus.failed
    assert "no answer within 1s" in (run.failure_reason or ""), run.failure_reason
